import type { PolicyView } from "./types.ts";

/** The words of the policy behind a form or a choice, shown where the data is collected. */
export function Clauses({
  policy,
  ids,
  label,
}: {
  policy: PolicyView;
  ids: readonly string[];
  label: string;
}) {
  const shown = policy.clauses.filter((c) => ids.includes(c.id));
  if (shown.length === 0) return null;
  return (
    <details className="clauses-inline">
      <summary>{label}</summary>
      {shown.map((c) => (
        <p key={c.id}>
          <strong>{c.title}</strong> <span className="clause-id">{c.id}</span>: {c.text}{" "}
          <a href={`/privacy#${c.id}`}>In the policy</a>
        </p>
      ))}
    </details>
  );
}
