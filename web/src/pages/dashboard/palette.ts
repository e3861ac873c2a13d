/**
 * Series colours, each at least 3:1 against the white card (WCAG non-text contrast) and apart from
 * its neighbours; a model keeps its colour in every chart of the page.
 */
export const PALETTE = ["#0f5bd8", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207", "#be185d", "#475569", "#4d7c0f", "#9f1239"];

export const colorOf = (index: number) => PALETTE[index % PALETTE.length];
