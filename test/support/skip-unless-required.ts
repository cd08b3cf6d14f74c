/**
 * The `skip` option of a test that needs something a machine may lack (the shared data, Chromium, plastimatch,
 * nibabel): false where `absence` is false (it is here), else the reason to skip — except where it is required, in CI
 * (CI=true) or by `requireVariable`=1 (which .ci/run sets for what it installs): there its absence throws, so that CI
 * fails rather than passes with the tests quietly left out.
 */
export function skipUnlessRequired(absence: false | string, requireVariable?: string): false | string {
  if (absence === false) return false;
  if (process.env.CI === 'true' || (requireVariable !== undefined && process.env[requireVariable] === '1')) throw new Error(absence);
  return absence;
}
