import type { SubjectSection } from "./sections.ts";
import { OWN_SECTIONS } from "./own-sections.ts";

/**
 * The sections of a subject's record that access export and erasure walk. The record's own
 * tables (profile, identities, addresses, contacts) are always there; every other module that
 * stores a subject's data registers its section when the app is composed.
 */
export interface SubjectRegistry {
  register(section: SubjectSection): void;
  /** In registration order: the record's own sections first. */
  sections(): readonly SubjectSection[];
}

export function createSubjectRegistry(extra: readonly SubjectSection[] = []): SubjectRegistry {
  const list: SubjectSection[] = [...OWN_SECTIONS];
  const registry: SubjectRegistry = {
    register(section) {
      if (list.some((s) => s.name === section.name)) {
        throw new Error(`a subject section named ${section.name} is already registered`);
      }
      list.push(section);
    },
    sections: () => list,
  };
  for (const s of extra) registry.register(s);
  return registry;
}
