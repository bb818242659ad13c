import {
    belongsToOrg,
    isInstanceUrl,
    isLoginUrl,
    isOrgPage,
    myDomainName,
    type HostRules
} from '../../src/salesforce/hosts';

/** The Salesforce host rules every connect address goes through. */

const prod: HostRules = { configuredLoginUrl: 'https://login.salesforce.com', allowLoopback: false };
const dev: HostRules = { configuredLoginUrl: 'http://sim.internal:4555', allowLoopback: true };
const u = (raw: string) => new URL(raw);

describe('myDomainName', () => {
    it.each([
        ['acme.my.salesforce.com', 'acme'],
        ['acme.lightning.force.com', 'acme'],
        ['acme.my.salesforce-setup.com', 'acme'],
        ['ACME--UAT.sandbox.my.salesforce.com', 'acme--uat.sandbox'],
        ['acme--uat.sandbox.lightning.force.com', 'acme--uat.sandbox'],
        ['acme-dev-ed.develop.my.salesforce.com', 'acme-dev-ed.develop'],
        ['power-ruby-1234.scratch.lightning.force.com', 'power-ruby-1234.scratch']
    ])('%s is a page of My Domain %s', (host, name) => {
        expect(myDomainName(host)).toBe(name);
    });

    it.each([
        'my.salesforce.com',
        'login.salesforce.com',
        'na123.salesforce.com',
        'evil.force.com',
        'evil.secure.force.com',
        'acme.my.site.com',
        'a.b.c.my.salesforce.com',
        'acme.evil.lightning.force.com',
        'acme.my.salesforce.com.evil.example'
    ])('%s is not an org page', (host) => {
        expect(myDomainName(host)).toBeNull();
    });
});

describe('login, instance and page addresses', () => {
    it('logs in only at the shared login hosts or an org’s *.my.salesforce.com, over https', () => {
        for (const ok of [
            'https://login.salesforce.com',
            'https://test.salesforce.com',
            'https://acme.my.salesforce.com',
            'https://acme--uat.sandbox.my.salesforce.com'
        ]) {
            expect(isLoginUrl(u(ok), prod)).toBe(true);
        }
        for (const bad of [
            'http://acme.my.salesforce.com',
            'https://acme.lightning.force.com',
            'https://acme.my.site.com',
            'https://evil.example.com',
            'https://acme.my.salesforce.com:444',
            'http://127.0.0.1:4020'
        ]) {
            expect(isLoginUrl(u(bad), prod)).toBe(false);
        }
        expect(isLoginUrl(u('http://127.0.0.1:4020'), dev)).toBe(true);
        expect(isLoginUrl(u('http://sim.internal:4555'), dev)).toBe(true);
    });

    it('trusts an instance_url only over https on *.salesforce.com (loopback outside production)', () => {
        expect(isInstanceUrl(u('https://acme.my.salesforce.com'), prod)).toBe(true);
        expect(isInstanceUrl(u('https://na123.salesforce.com'), prod)).toBe(true);
        for (const bad of [
            'http://acme.my.salesforce.com',
            'https://acme.my.salesforce.com.evil.example',
            'https://evil.force.com',
            'https://attacker.example',
            'http://127.0.0.1:4020'
        ]) {
            expect(isInstanceUrl(u(bad), prod)).toBe(false);
        }
        expect(isInstanceUrl(u('http://127.0.0.1:4020'), dev)).toBe(true);
    });

    it('takes as an org page only a My Domain page (any org, before the org is known)', () => {
        expect(isOrgPage(u('https://acme.lightning.force.com/lightning/n/x'), prod)).toBe(true);
        expect(isOrgPage(u('https://evil.force.com/x'), prod)).toBe(false);
        expect(isOrgPage(u('https://evil.my.site.com/x'), prod)).toBe(false);
        expect(isOrgPage(u('http://127.0.0.1:3000/x'), prod)).toBe(false);
        expect(isOrgPage(u('http://127.0.0.1:3000/x'), dev)).toBe(true);
    });

    it('says a page belongs to an org only when it has the org’s own My Domain name', () => {
        const org = u('https://acme--uat.sandbox.my.salesforce.com');
        expect(belongsToOrg(u('https://acme--uat.sandbox.lightning.force.com/x'), org, prod)).toBe(true);
        expect(belongsToOrg(u('https://acme--uat.sandbox.my.salesforce-setup.com/x'), org, prod)).toBe(true);
        expect(belongsToOrg(u('https://acme.lightning.force.com/x'), org, prod)).toBe(false);
        expect(belongsToOrg(u('https://evil--uat.sandbox.lightning.force.com/x'), org, prod)).toBe(false);
        expect(belongsToOrg(u('https://acme--uat.sandbox.lightning.force.com:444/x'), org, prod)).toBe(false);
        // A legacy instance host has no My Domain name: only its own origin belongs to it.
        expect(
            belongsToOrg(u('https://acme.lightning.force.com/x'), u('https://na1.salesforce.com'), prod)
        ).toBe(false);
        // Loopback pages belong to a loopback org only, and only outside production.
        expect(belongsToOrg(u('http://127.0.0.1:3000/x'), u('http://127.0.0.1:4020'), dev)).toBe(true);
        expect(belongsToOrg(u('http://127.0.0.1:3000/x'), org, dev)).toBe(false);
        expect(belongsToOrg(u('http://127.0.0.1:3000/x'), u('http://127.0.0.1:4020'), prod)).toBe(false);
    });
});
