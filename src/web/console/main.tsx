import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { api } from "../shared/api.ts";
import "../shared/base.css";
import "./console.css";
import { App } from "./App.tsx";
import type { PolicyInfo } from "./types.ts";

/**
 * The console, for staff (docs/console.md): the company's name and colour come from the pack in
 * force, as in the privacy center; everything else from the /v1 API with the member's session.
 */
const root = createRoot(document.getElementById("root")!);
try {
  const { data: policy } = await api<PolicyInfo>("GET", "/v1/policy");
  document.documentElement.style.setProperty("--brand", policy.colour);
  document.title = `Console · ${policy.name}`;
  root.render(
    <StrictMode>
      <App policy={policy} />
    </StrictMode>,
  );
} catch {
  root.render(
    <main id="main">
      <h1>Console</h1>
      <p role="alert">The console cannot reach the server. Please try again in a moment.</p>
    </main>,
  );
}
