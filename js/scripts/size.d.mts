export const BUDGET: number;
export function sizes(): Array<{ file: string; bytes: number }>;
