/** The 18-character form of a 15- or 18-character Salesforce id (the case-safe form to compare). */
export function to18(id: string): string {
    if (id.length === 18) return id;
    if (id.length !== 15) throw new Error(`not a Salesforce id: ${id}`);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
    let suffix = '';
    for (let block = 0; block < 3; block++) {
        let bits = 0;
        for (let i = 0; i < 5; i++) {
            const c = id.charAt(block * 5 + i);
            if (c >= 'A' && c <= 'Z') bits |= 1 << i;
        }
        suffix += alphabet.charAt(bits);
    }
    return id + suffix;
}
