import {
    belongsToOrg,
    isInstanceUrl,
    isLoginUrl,
    isOrgPage,
    parseUrl,
    type HostRules
} from '../../salesforce/hosts';
import { ConnectError, START_AGAIN } from './errors';
import type { HostedConnectSettings } from './settings';

/**
 * The addresses a connect uses, each checked against the Salesforce host rules
 * (salesforce/hosts.ts) before anything is sent to it: where the browser comes back to, where it logs
 * in (and the code is exchanged with the client secret), and the org's instance (which receives the
 * refresh token).
 */

type Rules = Pick<HostedConnectSettings, 'loginUrl' | 'allowLoopback'>;

const hostRules = (settings: Rules): HostRules => ({
    configuredLoginUrl: settings.loginUrl,
    allowLoopback: settings.allowLoopback
});

function parsed(raw: string, refuse: (why: string) => ConnectError): URL {
    if (raw.length > 2000) throw refuse('is too long');
    const url = parseUrl(raw);
    if (!url) throw refuse('is not an absolute URL');
    if (url.username || url.password) throw refuse('must not carry a user name or password');
    return url;
}

/**
 * The login host of one connect: the org's My Domain (what the package sends), login.salesforce.com
 * or test.salesforce.com (a sandbox); SALESFORCE_LOGIN_URL when the org names none.
 */
export function chooseLoginUrl(raw: string | undefined, settings: Rules): URL {
    if (raw === undefined || raw === '') return new URL(settings.loginUrl);
    const refuse = (why: string) =>
        new ConnectError(400, 'Refused login address', `loginUrl ${why}. ${START_AGAIN}`);
    const url = parsed(raw, refuse);
    if (url.pathname !== '/' || url.search || url.hash) throw refuse('must be a host without a path');
    if (!isLoginUrl(url, hostRules(settings))) {
        throw refuse(
            `must be https on the org's My Domain (*.my.salesforce.com), login.salesforce.com or test.salesforce.com, not ${url.protocol}//${url.host}`
        );
    }
    return url;
}

/**
 * Where the browser goes back to: one of an org's own pages (its My Domain, Lightning or Setup host);
 * when the login host is the org's My Domain, a page of that same org.
 */
export function checkReturnUrl(raw: string, settings: Rules, loginUrl?: URL): URL {
    const refuse = (why: string) =>
        new ConnectError(400, 'Refused return address', `returnUrl ${why}. ${START_AGAIN}`);
    const url = parsed(raw, refuse);
    const rules = hostRules(settings);
    if (!isOrgPage(url, rules)) {
        throw refuse(
            `must be an https page of the org's My Domain (*.my.salesforce.com, *.lightning.force.com, *.my.salesforce-setup.com), not ${url.protocol}//${url.host}`
        );
    }
    const shared = loginUrl && ['login.salesforce.com', 'test.salesforce.com'].includes(loginUrl.hostname);
    if (loginUrl && !shared && !belongsToOrg(url, loginUrl, rules)) {
        throw refuse(`must be a page of the org that logs in at ${loginUrl.host}, not ${url.host}`);
    }
    return url;
}

/** Salesforce's instance_url, before the refresh token and the client secret are sent to it. */
export function checkInstanceUrl(raw: string, settings: Rules): URL | null {
    const url = parseUrl(raw);
    return url && isInstanceUrl(url, hostRules(settings)) ? url : null;
}

/** Whether the return address is a page of the org that completed the consent. */
export function returnBelongsToOrg(returnUrl: string, instanceUrl: URL, settings: Rules): boolean {
    const url = parseUrl(returnUrl);
    return url !== null && belongsToOrg(url, instanceUrl, hostRules(settings));
}
