import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { api } from "../shared/api.ts";
import "../shared/base.css";
import "./privacy.css";
import { App } from "./App.tsx";
import type { PolicyView } from "./types.ts";

/**
 * The privacy center: the company's name, colour and policy come from the pack in force
 * (GET /v1/policy). The colour is set through the CSSOM, which the pages' CSP allows (it forbids
 * inline style attributes and elements, not a script of this origin setting a property).
 */
const root = createRoot(document.getElementById("root")!);
try {
  const { data: policy } = await api<PolicyView>("GET", "/v1/policy");
  document.documentElement.style.setProperty("--brand", policy.colour);
  document.title = `Privacy center · ${policy.name}`;
  root.render(
    <StrictMode>
      <App policy={policy} />
    </StrictMode>,
  );
} catch {
  root.render(
    <main id="main">
      <h1>Privacy center</h1>
      <p role="alert">The privacy center cannot reach the server. Please try again in a moment.</p>
    </main>,
  );
}
