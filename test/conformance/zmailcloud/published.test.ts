import { describePublished } from "../published.ts";

describePublished("zmailcloud", "2026-01-01T00:00:00Z");
