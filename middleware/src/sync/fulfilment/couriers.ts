/**
 * Tracking links: a courier's name (as typed in Unleashed) -> its public tracking page, with
 * `{tracking}` where the tracking number goes. The built-in table covers well-known couriers;
 * `COURIER_TRACKING_URLS` (a JSON object) adds or replaces entries. A courier not in the table gets
 * no link, only its tracking number.
 */

export const DEFAULT_COURIER_TRACKING: Readonly<Record<string, string>> = Object.freeze({
    'NZ Post': 'https://www.nzpost.co.nz/tools/tracking?trackid={tracking}',
    CourierPost: 'https://www.nzpost.co.nz/tools/tracking?trackid={tracking}',
    'Australia Post': 'https://auspost.com.au/mypost/track/details/{tracking}',
    StarTrack: 'https://startrack.com.au/track/details/{tracking}',
    Aramex: 'https://www.aramex.com/track/results?ShipmentNumber={tracking}',
    DHL: 'https://www.dhl.com/global-en/home/tracking.html?tracking-id={tracking}',
    FedEx: 'https://www.fedex.com/fedextrack/?trknbr={tracking}',
    UPS: 'https://www.ups.com/track?tracknum={tracking}',
    USPS: 'https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}',
    'Royal Mail': 'https://www.royalmail.com/track-your-item#/tracking-results/{tracking}',
    TNT: 'https://www.tnt.com/express/en_gb/site/shipping-tools/tracking.html?searchType=con&cons={tracking}'
});

/** Courier names compare without case, spaces or punctuation ("nz post" = "NZ-Post"). */
const keyOf = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export type CourierTable = ReadonlyMap<string, string>;

/** The table for a `COURIER_TRACKING_URLS` value; throws naming the variable and the bad entry. */
export function courierTable(extra: string): CourierTable {
    const entries: [string, string][] = Object.entries(DEFAULT_COURIER_TRACKING);
    if (extra.trim() !== '') {
        let parsed: unknown;
        try {
            parsed = JSON.parse(extra);
        } catch {
            throw new Error('COURIER_TRACKING_URLS must be a JSON object of courier name -> tracking URL');
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new Error('COURIER_TRACKING_URLS must be a JSON object of courier name -> tracking URL');
        }
        for (const [name, url] of Object.entries(parsed)) {
            if (typeof url !== 'string' || !/^https:\/\/[^\s]+$/.test(url) || !url.includes('{tracking}')) {
                throw new Error(
                    `COURIER_TRACKING_URLS: the URL of "${name}" must be an https URL containing {tracking}`
                );
            }
            if (keyOf(name) === '') throw new Error('COURIER_TRACKING_URLS: a courier name is empty');
            entries.push([name, url]);
        }
    }
    return new Map(entries.map(([name, url]) => [keyOf(name), url]));
}

/** The tracking URL of a shipment, or null when the courier is unknown or there is no number. */
export function trackingUrl(
    table: CourierTable,
    courier: string | null,
    tracking: string | null
): string | null {
    if (!courier || !tracking || tracking.trim() === '') return null;
    const pattern = table.get(keyOf(courier));
    return pattern ? pattern.replace('{tracking}', encodeURIComponent(tracking.trim())) : null;
}
