/**
 * Which hosts belong to Salesforce, and to which org. Connect sends an admin's browser, an
 * authorization code and the connected app's client secret to hosts named in a browser's request or
 * in Salesforce's answer; each of them is checked here first.
 *
 * An org's pages live on its My Domain: `<name>.my.salesforce.com` (login, API, classic pages),
 * `<name>.lightning.force.com` (Lightning) and `<name>.my.salesforce-setup.com` (Setup), where
 * `<name>` carries the edition with enhanced domains (`acme--uat.sandbox`, `acme-dev-ed.develop`,
 * `x.scratch`). Sites and Experience Cloud domains (`*.force.com` without `lightning`, `*.my.site.com`)
 * are pages anyone can publish, so they are never an org's own address.
 */

/** Suffixes an org's own pages have after its My Domain name. */
const MY_DOMAIN_SUFFIXES = ['.my.salesforce.com', '.lightning.force.com', '.my.salesforce-setup.com'];
/** A My Domain name: letters, digits and hyphens, then an optional enhanced-domain edition label. */
const MY_DOMAIN_NAME =
    /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?(?:\.(?:sandbox|develop|scratch|demo|patch|trailblaze|free))?$/;
/** The shared login hosts: production and Developer Edition orgs, and sandboxes. */
export const SHARED_LOGIN_HOSTS = ['login.salesforce.com', 'test.salesforce.com'] as const;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopback(url: URL): boolean {
    return (
        LOOPBACK.has(url.hostname.toLowerCase()) && (url.protocol === 'http:' || url.protocol === 'https:')
    );
}

/**
 * The org's My Domain name in a host of its pages (`acme--uat.sandbox` for
 * `acme--uat.sandbox.lightning.force.com`), or null when the host is not one of an org's own pages.
 */
export function myDomainName(host: string): string | null {
    const h = host.toLowerCase();
    for (const suffix of MY_DOMAIN_SUFFIXES) {
        if (!h.endsWith(suffix)) continue;
        const name = h.slice(0, -suffix.length);
        return MY_DOMAIN_NAME.test(name) ? name : null;
    }
    return null;
}

/** Parses an absolute URL, or null. */
export function parseUrl(raw: string): URL | null {
    try {
        return new URL(raw);
    } catch {
        return null;
    }
}

/** What the host rules allow besides Salesforce itself: the configured login host, and loopback in dev. */
export interface HostRules {
    /** SALESFORCE_LOGIN_URL: the operator's own choice is always trusted. */
    configuredLoginUrl: string;
    /** Outside production, http and https on loopback are accepted (simulator, local demo). */
    allowLoopback: boolean;
}

const sameOrigin = (a: URL, b: URL) =>
    a.protocol === b.protocol && a.host.toLowerCase() === b.host.toLowerCase();

function trustedElsewhere(url: URL, rules: HostRules): boolean {
    const configured = parseUrl(rules.configuredLoginUrl);
    if (configured && sameOrigin(url, configured)) return true;
    return rules.allowLoopback && isLoopback(url);
}

/**
 * Whether a URL may receive the authorize redirect and the code exchange (with the client secret):
 * https on login.salesforce.com, test.salesforce.com or an org's `*.my.salesforce.com`.
 */
export function isLoginUrl(url: URL, rules: HostRules): boolean {
    if (url.username || url.password) return false;
    if (trustedElsewhere(url, rules)) return true;
    if (url.protocol !== 'https:' || url.port) return false;
    const host = url.hostname.toLowerCase();
    if ((SHARED_LOGIN_HOSTS as readonly string[]).includes(host)) return true;
    return host.endsWith('.my.salesforce.com') && myDomainName(host) !== null;
}

/**
 * Whether Salesforce's `instance_url` may receive the refresh token and the client secret: https on
 * `*.salesforce.com` (an org's My Domain, or an instance such as `na123.salesforce.com`).
 */
export function isInstanceUrl(url: URL, rules: HostRules): boolean {
    if (url.username || url.password) return false;
    if (trustedElsewhere(url, rules)) return true;
    if (url.protocol !== 'https:' || url.port) return false;
    const host = url.hostname.toLowerCase();
    return host.endsWith('.salesforce.com') && /^[a-z0-9.-]+$/.test(host) && !host.startsWith('.');
}

/** Whether a URL is one of an org's own pages (before the org is known): https on a My Domain host. */
export function isOrgPage(url: URL, rules: HostRules): boolean {
    if (url.username || url.password) return false;
    if (trustedElsewhere(url, rules)) return true;
    return url.protocol === 'https:' && !url.port && myDomainName(url.hostname) !== null;
}

/**
 * Whether a page belongs to the org at `instanceUrl` (the token answer's, or the login host the
 * connect used): the same My Domain name, or the very same origin. Loopback pages belong to a
 * loopback org only (the local demo).
 */
export function belongsToOrg(page: URL, orgUrl: URL, rules: HostRules): boolean {
    if (rules.allowLoopback && isLoopback(page)) return isLoopback(orgUrl);
    if (sameOrigin(page, orgUrl)) return true;
    if (page.protocol !== 'https:' || page.port) return false;
    const name = myDomainName(page.hostname);
    return name !== null && name === myDomainName(orgUrl.hostname);
}
