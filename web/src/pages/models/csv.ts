/** The column names on a CSV file's first line (a byte-order mark, quotes and doubled
 * quotes handled); empty when the line holds no names. */
export function headerColumns(text: string): string[] {
  const content = text.replace(/^\uFEFF/, "");
  const columns: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < content.length; index += 1) {
    const char = content[index];
    if (quoted) {
      if (char === '"' && content[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ",") {
      columns.push(field.trim());
      field = "";
    } else if (char === "\n" || char === "\r") {
      break;
    } else {
      field += char;
    }
  }
  columns.push(field.trim());
  return columns.some((name) => name.length > 0) ? columns : [];
}

/** The column most likely to hold `kind`: its usual name, else one that contains it. */
export function guessColumn(columns: readonly string[], kind: "text" | "label"): string {
  const lower = columns.map((name) => name.toLowerCase());
  const exact = kind === "text" ? ["text", "message", "body", "content"] : ["label", "sentiment"];
  for (const name of exact) {
    const found = lower.indexOf(name);
    if (found >= 0) return columns[found] ?? "";
  }
  const hints = kind === "text" ? ["text", "message"] : ["label", "sentiment"];
  const partial = lower.findIndex((name) => hints.some((hint) => name.includes(hint)));
  if (partial >= 0) return columns[partial] ?? "";
  return columns[kind === "text" ? 0 : 1] ?? columns[0] ?? "";
}

/** Reads just enough of `file` for its first line. */
export async function readHeader(file: Blob): Promise<string[]> {
  return headerColumns(await file.slice(0, 64 * 1024).text());
}
