import { useId, useState, type FormEvent } from "react";
import { api, ApiError, type Problem } from "../../shared/api.ts";
import { Alert, Select, type FieldErrors } from "../../shared/forms.tsx";
import type { Page } from "../types.ts";
import { staffMessage } from "../words.ts";
import type { Entry } from "./Suppression.tsx";
import { ADD_REASONS, CHANNEL_NAMES } from "./suppression-words.ts";

interface ImportReport {
  readonly rows: number;
  readonly added: number;
  readonly alreadyListed: number;
}

/** The media type the import route takes for a file, by its name: CSV, or NDJSON (one JSON object a line). */
function typeOf(file: File): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".csv")) return "text/csv";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "application/x-ndjson";
  return null;
}

const CSV_COLUMNS = ["channel", "address_index", "reason", "source", "created_at", "created_by"] as const;

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/**
 * Import and export of the Do Not Send list, for administrators. An import is all or nothing:
 * the API checks every row first and names each bad one by line, and nothing from the file is
 * added. The export is the API's pages joined into a CSV made in the browser, so no address or
 * filter is ever in a URL the browser keeps; it holds fingerprints, never addresses.
 */
export function SuppressionFiles() {
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [channel, setChannel] = useState("");
  const [reason, setReason] = useState("import");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [report, setReport] = useState<ImportReport | null>(null);
  const [refusal, setRefusal] = useState<Problem | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [exportChannel, setExportChannel] = useState("");
  const [exported, setExported] = useState<number | null>(null);
  const [exportMessage, setExportMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    setReport(null);
    setRefusal(null);
    setMessage(null);
    const type = file === null ? null : typeOf(file);
    if (file === null || type === null) {
      setErrors({ file: "Choose a .csv or .ndjson file." });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const query = new URLSearchParams({ reason, source: "import" });
      if (channel !== "") query.set("channel", channel);
      const { data } = await api<ImportReport>("POST", `/v1/suppression/import?${query.toString()}`, {
        file: { type, text: await file.text() },
      });
      setReport(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.problem.code === "PLEDGE_SUPPRESSION_IMPORT_REJECTED") setRefusal(error.problem);
      else setMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  const download = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setExported(null);
    setExportMessage(null);
    try {
      const entries: Entry[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: "200" });
        if (exportChannel !== "") query.set("channel", exportChannel);
        if (cursor !== null) query.set("cursor", cursor);
        const answer: { data: Page<Entry> } = await api<Page<Entry>>(
          "GET",
          `/v1/suppression/export?${query.toString()}`,
        );
        entries.push(...answer.data.items);
        cursor = answer.data.nextCursor;
      } while (cursor !== null);
      const lines = entries.map((e) =>
        [e.channel, e.addressIndex, e.reason, e.source, e.createdAt, e.createdBy].map(csvField).join(","),
      );
      const csv = [CSV_COLUMNS.join(","), ...lines].join("\r\n") + "\r\n";
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `do-not-send-${exportChannel || "all"}-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
      setExported(entries.length);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setExportMessage(staffMessage(error.problem));
    }
    setBusy(false);
  };

  return (
    <>
      <section aria-labelledby="import-heading">
        <h2 id="import-heading">Import a file</h2>
        <p>
          A CSV file with a header line (column <code>address</code>, or <code>line1</code>, <code>city</code>
          , <code>postal_code</code>, <code>country</code> for postal addresses; optional <code>channel</code>{" "}
          and <code>reason</code>), or an NDJSON file. If any row is wrong, nothing from the file is added.
        </p>
        <form onSubmit={(e) => void upload(e)} noValidate>
          <div className="field">
            <label htmlFor={fileId}>File to import (.csv or .ndjson)</label>
            <input
              id={fileId}
              name="file"
              type="file"
              accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson"
              aria-invalid={errors.file ? true : undefined}
              aria-describedby={errors.file ? `${fileId}-error` : undefined}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setReport(null);
                setRefusal(null);
              }}
            />
            {errors.file ? (
              <p id={`${fileId}-error`} className="field-error">
                {errors.file}
              </p>
            ) : null}
          </div>
          <Select
            label="Channel of rows that name none"
            name="importChannel"
            none="Every row names its channel"
            options={CHANNEL_NAMES}
            value={channel}
            onChange={(e) => setChannel(e.target.value)}
          />
          <Select
            label="Reason of rows that give none"
            name="importReason"
            options={ADD_REASONS}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Import
          </button>
        </form>
        <div aria-live="polite">
          {report ? (
            <Alert kind="success">
              Imported {report.rows} {report.rows === 1 ? "row" : "rows"}: {report.added} added,{" "}
              {report.alreadyListed} already on the list.
            </Alert>
          ) : null}
          {message ? <Alert>{message}</Alert> : null}
          {refusal ? <Refusal problem={refusal} /> : null}
        </div>
      </section>
      <section aria-labelledby="export-heading">
        <h2 id="export-heading">Export the list</h2>
        <p>
          The file lists each entry's channel, fingerprint, reason, source, date and who added it. It cannot
          give addresses back: Pledge does not keep them.
        </p>
        <form onSubmit={(e) => void download(e)} noValidate>
          <Select
            label="Channel to export"
            name="exportChannel"
            none="All channels"
            options={CHANNEL_NAMES}
            value={exportChannel}
            onChange={(e) => setExportChannel(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Download the list (CSV)
          </button>
        </form>
        <div aria-live="polite">
          {exported !== null ? (
            <Alert kind="success">
              Downloaded {exported} {exported === 1 ? "entry" : "entries"}.
            </Alert>
          ) : null}
          {exportMessage ? <Alert>{exportMessage}</Alert> : null}
        </div>
      </section>
    </>
  );
}

function Refusal({ problem }: { problem: Problem }) {
  const rows = problem.errors ?? [];
  return (
    <div className="alert alert-error" role="alert">
      <p>
        <strong>Nothing was imported:</strong> {rows.length} {rows.length === 1 ? "row needs" : "rows need"}{" "}
        correcting. Fix the file and import it again.
      </p>
      <table className="dns-problems">
        <caption>Rows refused</caption>
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.path} ${r.message}`}>
              <th scope="row">{r.path.replace(/^line /, "")}</th>
              <td>{r.message.charAt(0).toUpperCase() + r.message.slice(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
