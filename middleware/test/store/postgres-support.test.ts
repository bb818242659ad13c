import fs from 'node:fs';
import { findPostgresBin, INSTALL_HINT, startPostgres } from '../support/postgres';

describe('test PostgreSQL server', () => {
    afterEach(() => jest.restoreAllMocks());

    it('fails with an install hint when the server binaries are missing', async () => {
        jest.spyOn(fs, 'existsSync').mockReturnValue(false);
        expect(findPostgresBin()).toBeNull();
        await expect(startPostgres()).rejects.toThrow(INSTALL_HINT);
        expect(INSTALL_HINT).toMatch(/apt-get install postgresql/);
        expect(INSTALL_HINT).toMatch(/STORE_TESTS_PGLITE_ONLY=1/);
    });
});
