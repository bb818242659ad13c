// Shared by the package's components: error text from Apex failures and exact decimal arithmetic for
// quantities (JavaScript numbers would turn 0.3 - 0.1 into 0.19999999999999998).

const SCALE_DIGITS = 8;
// BigInt() calls rather than literals keep the source parseable by older toolchains.
const ZERO = BigInt(0);
const SCALE = BigInt(10) ** BigInt(SCALE_DIGITS);

/**
 * One readable message from whatever a failed Apex call, a wire or a JavaScript error produced.
 * Apex failures arrive as { body: { message } } (AuraHandledException) or with a list of page
 * or field errors; a plain Error has `message`.
 */
export function errorMessage(error) {
    if (!error) {
        return 'Unknown error';
    }
    const errors = Array.isArray(error) ? error : [error];
    const messages = errors
        .filter((e) => !!e)
        .map((e) => {
            if (typeof e === 'string') {
                return e;
            }
            const body = e.body;
            if (Array.isArray(body)) {
                return body.map((b) => b && b.message).filter(Boolean);
            }
            if (body && body.pageErrors && body.pageErrors.length) {
                return body.pageErrors.map((p) => p.message);
            }
            if (body && body.fieldErrors && Object.keys(body.fieldErrors).length) {
                return Object.values(body.fieldErrors)
                    .flat()
                    .map((f) => f.message);
            }
            if (body && typeof body.message === 'string' && body.message) {
                return body.message;
            }
            if (typeof e.message === 'string' && e.message) {
                return e.message;
            }
            return e.statusText || 'Unknown error';
        })
        .flat()
        .filter(Boolean);
    return messages.length ? messages.join(' ') : 'Unknown error';
}

/** Parses a decimal number or string into a BigInt scaled by 10^8; null when it is not a number. */
export function toScaled(value) {
    if (value === null || value === undefined || value === '') {
        return null;
    }
    const text = typeof value === 'number' ? numberToPlain(value) : String(value).trim();
    const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
    if (!match || (match[2] === '' && (match[3] === undefined || match[3] === ''))) {
        return null;
    }
    const fraction = (match[3] || '').padEnd(SCALE_DIGITS, '0').slice(0, SCALE_DIGITS);
    const scaled = BigInt(match[2] || '0') * SCALE + BigInt(fraction || '0');
    return match[1] === '-' ? -scaled : scaled;
}

function numberToPlain(n) {
    if (!Number.isFinite(n)) {
        return '';
    }
    // toFixed avoids exponent notation for small and large numbers alike.
    const fixed = n.toFixed(SCALE_DIGITS);
    return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Turns a scaled BigInt back into a plain decimal string without trailing zeros. */
export function fromScaled(scaled) {
    const negative = scaled < ZERO;
    const abs = negative ? -scaled : scaled;
    const whole = abs / SCALE;
    const fraction = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
    return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** a - b as a decimal string; missing values count as 0. */
export function decimalSubtract(a, b) {
    return fromScaled((toScaled(a) ?? ZERO) - (toScaled(b) ?? ZERO));
}

/** Sum of the values as a decimal string; missing values count as 0. */
export function decimalSum(values) {
    return fromScaled((values || []).reduce((sum, v) => sum + (toScaled(v) ?? ZERO), ZERO));
}

/** -1, 0 or 1; missing values count as 0. */
export function decimalCompare(a, b) {
    const x = toScaled(a) ?? ZERO;
    const y = toScaled(b) ?? ZERO;
    if (x === y) {
        return 0;
    }
    return x < y ? -1 : 1;
}

/** A quantity for display: grouping separators, up to 4 decimal places, '—' when missing. */
export function formatQuantity(value) {
    const scaled = toScaled(value);
    if (scaled === null) {
        return '—';
    }
    const plain = fromScaled(scaled);
    const [whole, fraction = ''] = plain.replace('-', '').split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const shortFraction = fraction.slice(0, 4).replace(/0+$/, '');
    return `${plain.startsWith('-') ? '-' : ''}${grouped}${shortFraction ? `.${shortFraction}` : ''}`;
}

/** Options for lightning-combobox / lightning-radio-group from the Apex Option DTOs. */
export function toOptions(options, { includeNone = false, noneLabel = 'None' } = {}) {
    const list = (options || []).map((o) => ({
        label: o.detail ? `${o.label} (${o.detail})` : o.label,
        value: o.value
    }));
    return includeNone ? [{ label: noneLabel, value: '' }, ...list] : list;
}
