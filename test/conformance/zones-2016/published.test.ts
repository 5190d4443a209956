import { describePublished } from "../published.ts";

describePublished("zones", "2018-06-01T00:00:00Z");
