/**
 * RFC 4180 CSV as Bulk API 2.0 reads and writes it: quoted fields may hold the delimiter, quotes
 * ("" inside quotes) and line breaks. Result files quote every field, as Salesforce's do.
 */

export function parseCsv(text: string, delimiter = ','): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    let i = 0;
    const endField = () => {
        row.push(field);
        field = '';
    };
    while (i < text.length) {
        const c = text.charAt(i);
        if (quoted) {
            if (c === '"') {
                if (text.charAt(i + 1) === '"') {
                    field += '"';
                    i += 2;
                    continue;
                }
                quoted = false;
                i++;
                continue;
            }
            field += c;
            i++;
            continue;
        }
        if (c === '"' && field === '') {
            quoted = true;
        } else if (c === delimiter) {
            endField();
        } else if (c === '\n' || c === '\r') {
            endField();
            rows.push(row);
            row = [];
            if (c === '\r' && text.charAt(i + 1) === '\n') i++;
        } else {
            field += c;
        }
        i++;
    }
    if (quoted) throw new Error('unterminated quoted field');
    if (field !== '' || row.length) {
        endField();
        rows.push(row);
    }
    return rows;
}

export function quoteAll(values: string[]): string {
    return values.map((v) => `"${v.replace(/"/g, '""')}"`).join(',');
}
