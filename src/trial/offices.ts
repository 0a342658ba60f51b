/**
 * The 29 NAV offices of the HOLF trial (ClinicalTrials.gov NCT03102775), used to give the demo
 * trial realistic names. Only names are public; every number attached to them in the demo is
 * simulated.
 *
 * @example
 * HOLF_OFFICES.length; // 29
 */
export const HOLF_OFFICES: readonly string[] = [
  'NAV Alna',
  'NAV Asker',
  'NAV Bergenhus',
  'NAV Bjerke',
  'NAV Bodø',
  'NAV Bærum',
  'NAV Elverum',
  'NAV Fana',
  'NAV Frogner',
  'NAV Gamle Oslo',
  'NAV Gjøvik',
  'NAV Grünerløkka',
  'NAV Halden',
  'NAV Harstad',
  'NAV Haugesund',
  'NAV Horten',
  'NAV Larvik',
  'NAV Lerkendal',
  'NAV Lillehammer',
  'NAV Madla',
  'NAV Moss',
  'NAV Nordstrand',
  'NAV Rana',
  'NAV Ringsaker',
  'NAV Sandefjord',
  'NAV Sandnes',
  'NAV Skedsmo',
  'NAV St. Hanshaugen',
  'NAV Værnes',
];
