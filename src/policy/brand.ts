/**
 * The company's colour in the privacy center. Text on the colour is white, and links and headings
 * are drawn in it on white, so the pack is refused at load time unless the colour contrasts with
 * white by at least WCAG's 4.5:1 for normal text (the privacy center's accessibility does not
 * depend on someone checking a pack by eye).
 */
export const MIN_CONTRAST = 4.5;

/** The default colour when a pack names none: a dark blue, 8.6:1 against white. */
export const DEFAULT_BRAND_COLOUR = "#1f4e79";

export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/** WCAG 2 contrast ratio of a #rrggbb colour against white, from 1 to 21. */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}
