import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/import-municipalities.ts';
import { openStore } from '../src/store/open-store.ts';
import { listMunicipalityStatistics } from '../src/store/repositories/municipality-repository.ts';
import { runCli } from './helpers/cli.ts';

describe('tiltak import municipalities', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiltak-muni-'));
  const dataDir = join(dir, 'db');
  it('imports a table in one audited transaction, and a second import changes nothing', async () => {
    const args = [
      'import',
      'municipalities',
      'test/fixtures/data/municipality-panel.csv',
      '--dataset',
      'kvp',
      '--data-dir',
      dataDir,
      '--json',
    ];
    const first = JSON.parse(await runCli([register], args));
    expect(first).toMatchObject({
      dataset: 'kvp',
      rows: 1050,
      municipalities: 350,
      years: [2010, 2011, 2012],
      unchanged: false,
    });
    const second = JSON.parse(await runCli([register], args));
    expect(second.unchanged).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    const store = await openStore({ dataDir });
    try {
      const rows = await listMunicipalityStatistics(store.db, 'kvp');
      expect(rows).toHaveLength(1050);
      expect(
        rows.find((r) => r.municipality === '0101' && r.year === 2011)?.values.population,
      ).toBe(12771);
    } finally {
      await store.close();
    }
  });
  it('rejects a file with bad rows whole, listing every problem', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'municipality,year,population,sa_expenses_per_inhabitant,kvp_participants_per_sa_recipient,kvp_expenses_per_inhabitant,refugees_per_1000,share_divorced,share_unemployed,aap_per_sa_recipient\n' +
        '0201,2011,5000,1000,0.1,100,5,8,3,2\n0202,2011,-1,1000,0.1,100,5,8,3,2\n0203,2011,5000,1000,0.1,100,5,800,3,2\n',
    );
    await expect(
      runCli([register], ['import', 'municipalities', bad, '--data-dir', dataDir]),
    ).rejects.toThrow(
      /2 problems, nothing imported: row 2 column 'population'.*row 3 column 'share_divorced'/,
    );
    const store = await openStore({ dataDir });
    try {
      expect(await listMunicipalityStatistics(store.db, 'bad')).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});
