import { clientKey, FailureLimit } from '../../src/http/failure-limit';

describe('FailureLimit', () => {
    it('blocks an address at its budget until its window ends', () => {
        let now = 1_000_000;
        const limit = new FailureLimit(3, { now: () => now });
        expect(limit.record('a')).toBe(false);
        expect(limit.record('a')).toBe(false);
        expect(limit.blockedFor('a')).toBe(0);
        expect(limit.record('a')).toBe(true);
        expect(limit.blockedFor('a')).toBe(60);
        expect(limit.blockedFor('b')).toBe(0);
        now += 45_500;
        expect(limit.blockedFor('a')).toBe(15);
        now += 14_500;
        expect(limit.blockedFor('a')).toBe(0);
        // A new window starts from zero.
        expect(limit.record('a')).toBe(false);
        expect(limit.blockedFor('a')).toBe(0);
    });

    it('holds at most maxKeys addresses, dropping expired windows first, then the oldest', () => {
        let now = 0;
        const limit = new FailureLimit(2, { now: () => now, maxKeys: 10 });
        for (let i = 0; i < 10; i++) limit.record(`old-${i}`);
        limit.record('keep');
        limit.record('keep');
        expect(limit.size).toBe(10);
        now = 61_000;
        for (let i = 0; i < 5; i++) limit.record(`new-${i}`);
        // Every expired window went at once to make room.
        expect(limit.size).toBe(5);
        for (let i = 0; i < 50_000; i++) limit.record(`flood-${i}`);
        expect(limit.size).toBe(10);
    });

    it('does nothing when turned off', () => {
        const limit = new FailureLimit(0);
        for (let i = 0; i < 100; i++) expect(limit.record('a')).toBe(false);
        expect(limit.blockedFor('a')).toBe(0);
        expect(limit.size).toBe(0);
    });
});

describe('clientKey', () => {
    it('counts IPv4 per address and IPv6 per /64', () => {
        expect(clientKey('203.0.113.5')).toBe('203.0.113.5');
        expect(clientKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
        expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
        expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
        expect(clientKey('2001:0db8:0001:0002::9%eth0')).toBe('2001:db8:1:2::/64');
        expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
        expect(clientKey('::1')).toBe('0:0:0:0::/64');
        expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
    });
});
