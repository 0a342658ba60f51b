/**
 * Counts for the CONSORT 2010 flow diagram of a cluster-randomised trial (Campbell et al. 2012,
 * extension for cluster trials): clusters and individuals at enrolment, allocation, follow-up and
 * analysis. Computed from the trial store; drawn by the report and the web app.
 */

/** Cluster sizes in one arm: mean and range of families per office. */
export interface ClusterSize {
  mean: number;
  min: number;
  max: number;
}

/** Follow-up and analysis of one arm at one wave. */
export interface ConsortWave {
  wave: string;
  /** Families with data at this wave (questionnaire submitted or register outcome present). */
  followedUp: number;
  /** Families lost to follow-up at this wave, by reason. */
  lost: Array<{ reason: string; families: number }>;
  /** Families in the analysis of this wave's primary outcome. */
  analysed: number;
  /** Offices contributing to the analysis. */
  officesAnalysed: number;
}

/** One arm of the flow diagram. */
export interface ConsortArm {
  arm: string;
  offices: number;
  /** Families drawn within the arm's offices. */
  drawn: number;
  /** Eligible families not drawn: the comparison group with ordinary follow-up. */
  notDrawn: number;
  enrolled: number;
  /** Drawn families who did not enrol (declined consent, moved, …). */
  notEnrolled: Array<{ reason: string; families: number }>;
  clusterSize: ClusterSize;
  waves: ConsortWave[];
}

/**
 * The whole diagram.
 *
 * @example
 * const c: ConsortCounts = await consortCounts(store, trialId);
 * c.arms.map((a) => [a.arm, a.offices, a.enrolled]);
 */
export interface ConsortCounts {
  trial: string;
  officesAssessed: number;
  officesExcluded: number;
  officesRandomised: number;
  familiesIdentified: number;
  familiesExcluded: Array<{ reason: string; families: number }>;
  familiesEligible: number;
  arms: ConsortArm[];
}
