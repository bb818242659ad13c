/** A SOQL string literal: the value quoted, with backslashes and quotes escaped. */
export function soqlString(value: string): string {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
