/**
 * MongeService: everything the user interface can ask of Monge, independent of the host that carries the calls
 * (Electron IPC or the web host's WebSocket; see dispatcher.ts). It reads files into display payloads, runs the
 * CPU-heavy work (registration, surface extraction) as jobs in worker threads (job-runner.ts), opens results
 * folders and exports from them.
 *
 * Files the user uploads (the web host, drag and drop) are kept in a session folder under their original names,
 * so that formats are still recognised by name and a registration can read them by path; messages about them
 * name the file as the user knows it, not the session copy.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { looksLikeMask } from '../../core/image/index.ts';
import { isWindowsDeviceName } from '../../core/io/windows-names.ts';
import { outputFileProblem } from '../../core/io/output-file.ts';
import { inputInsideFolder, outputFolderObstacle } from '../../core/registration/pipeline/output-folder.ts';
import { requestInputPaths } from '../../core/registration/pipeline/request-inputs.ts';
import { fieldFilesOf } from '../../core/warp/field-file.ts';
import { readImage } from '../../core/io/images/read-image.ts';
import { InputError, inputKindOf, readShape } from '../../core/io/index.ts';
import { CancelledError } from '../../core/progress/index.ts';
import { readResidualPrior } from '../../core/registration/prior/index.ts';
import { runtimeFile } from '../../core/runtime/app-files.ts';
import type { ApplyFieldRequest, ApplyFieldResult } from '../../core/warp/apply-field.ts';
import { appliedFileName } from '../../core/warp/applied-name.ts';
import type {
  ApplyRequest,
  ApplyResult,
  DisplayShape,
  ExportRequest,
  ExportResult,
  FileSource,
  HostInfo,
  JobEvent,
  JobId,
  MongeApi,
  OpenedFile,
  OpenedPrior,
  OpenOptions,
  RegisterJobRequest,
  ResultsPayload,
} from './api.ts';
import { toDisplayShape } from './display-shape.ts';
import { valueRange } from '../../core/shape/index.ts';
import { ApiError, toErrorInfo } from './error-info.ts';
import { engineInfo } from './engine-info.ts';
import { exportResult } from './export.ts';
import { JobRunner, type JobListener } from './job-runner.ts';
import type { SurfaceJobParams } from './jobs/surface-job.ts';
import { inAppWords } from './app-words.ts';
import { isResultsFolder, readResultsFolder, ResultsFolderError } from './results-folder.ts';
import { densestIndices, extractSlices } from './slices.ts';

export interface MongeServiceOptions {
  host: 'electron' | 'web';
  /** Folder for uploads and, unless `resultsRoot` is given, results (default: a new temporary folder, removed on dispose). */
  workDir?: string;
  /** Where registrations write when the request names no output folder, and what a relative one is taken from (default `<workDir>/results`). */
  resultsRoot?: string;
  /** Job modules besides 'surface' and 'register' (tests add slow ones). */
  jobModules?: Record<string, URL>;
  /** Runtime versions to report besides Node's (Electron, Chrome). */
  versions?: Record<string, string>;
  /** Time a cancelled job has to stop before its thread is terminated (ms). */
  cancelGraceMs?: number;
  /** The job workers' entry (a bundled app has its own; default the tsx bootstrap). */
  workerUrl?: URL;
  /** Monge's version (default: package.json's, read by core/runtime/version.ts). */
  mongeVersion?: string;
}

/** The built-in jobs: their sources, or their bundles beside the main process (main/build-electron.ts). */
export const JOB_MODULES: Record<string, URL> = {
  surface: runtimeFile('surface-job.mjs', new URL('./jobs/surface-job.ts', import.meta.url)),
  register: runtimeFile('register-job.mjs', new URL('./jobs/register-job.ts', import.meta.url)),
  warp: runtimeFile('warp-job.mjs', new URL('./jobs/warp-job.ts', import.meta.url)),
};

/** Jobs a cancel terminates at once (JobRunnerOptions.terminateAtOnce): the surface job is one synchronous extraction. */
export const TERMINATE_AT_ONCE: readonly string[] = ['surface'];

/**
 * A file name safe to create in the upload folder (no folders, no leading dots, no characters a shell or another
 * file system trips on), keeping its suffix and its letters in any script: messages and downloads name the file as
 * the user knows it (`ünïcødé 名前.surf` stays so). A name that is all suffix (`.surf`) becomes `upload.surf`.
 */
export function safeUploadName(name: string): string {
  const cleaned = basename(String(name).replace(/\\/g, '/')).replace(/[^\p{L}\p{M}\p{N}_.\- ]+/gu, '_');
  const base = cleaned.replace(/^\.+/, '');
  if (base === '') return 'upload';
  const named = base !== cleaned && !base.includes('.') ? `upload.${base}` : base;
  // A host on Windows cannot write a file named like a device (CON.vtk opens the console) nor keep a trailing '.' or
  // ' ' (it drops them): such a name gets a prefix, or loses its end.
  const portable = isWindowsDeviceName(named) ? `upload_${named}` : named.replace(/[. ]+$/, '') || 'upload';
  return Array.from(portable).slice(-200).join('');
}

export class MongeService implements MongeApi {
  readonly jobs: JobRunner;
  /**
   * The session folder, made on first use. A promise, not a path: two uploads in flight at once (the app sends the
   * moving and fixed files together) each made a folder when the path was assigned after the await, and the one
   * overwritten was never removed.
   */
  private workDir: Promise<string> | undefined;
  private uploads = 0;
  /** Each upload's session copy → the name the user knows it by (messages name that, not the copy). */
  private readonly uploadNames = new Map<string, string>();

  constructor(private readonly options: MongeServiceOptions) {
    this.jobs = new JobRunner({
      modules: { ...JOB_MODULES, ...options.jobModules },
      cancelGraceMs: options.cancelGraceMs,
      terminateAtOnce: TERMINATE_AT_ONCE,
      ...(options.workerUrl ? { workerUrl: options.workerUrl } : {}),
    });
    this.workDir = options.workDir === undefined ? undefined : Promise.resolve(options.workDir);
  }

  /** Every job's events, each with its job's owner (job-owner.ts: the web host's connection that started it). */
  onJobEvent(listener: JobListener): () => void {
    return this.jobs.onEvent((event, owner) => listener(this.inUserWords(event), owner));
  }

  /** A job's failure as the user can read it: its message and file naming uploads by their own names (userWords). */
  private inUserWords(event: JobEvent): JobEvent {
    if (event.type !== 'failed') return event;
    return { ...event, message: this.userWords(event.message), ...(event.file !== undefined ? { file: this.userWords(event.file) } : {}) };
  }

  /**
   * `text` with every upload's session copy named as the user knows the file: a registration of uploads that fails,
   * or warns, names `grey.nii.gz`, not `/tmp/monge-session-…/uploads/2/grey.nii.gz`; and its remedies named as the
   * app's controls, not the command line's options (app-words.ts).
   */
  private userWords(text: string): string {
    for (const [path, name] of this.uploadNames) text = text.split(path).join(name);
    return inAppWords(text);
  }

  /** Cancels the jobs started by a client that is gone (job-owner.ts); not part of the API the user interface calls. */
  cancelJobsOf(owner: string): number {
    return this.jobs.cancelOwnedBy(owner);
  }

  async hostInfo(): Promise<HostInfo> {
    const { node, v8, uv, zlib, openssl } = process.versions;
    return {
      host: this.options.host,
      mongeVersion: this.options.mongeVersion ?? (await import('../../core/runtime/version.ts')).MONGE_VERSION,
      versions: { node, v8, uv, zlib, openssl, ...this.options.versions },
      engine: await engineInfo(),
      platform: `${process.platform} ${process.arch}`,
    };
  }

  openFile(source: FileSource, options: OpenOptions = {}): Promise<OpenedFile> {
    return this.readSource(source, (path, name) => this.open(path, name, options));
  }

  openPrior(source: FileSource): Promise<OpenedPrior> {
    return this.readSource(source, async (path, name) => {
      const prior = await readResidualPrior(path);
      return { path, name, cases: prior.cases, landmarks: prior.pointsNormalised.length / 3, sigma: prior.sigma, shrink: prior.shrink };
    });
  }

  async register(request: RegisterJobRequest): Promise<JobId> {
    if (typeof request?.moving !== 'string' || typeof request.fixed !== 'string') throw new Error('a registration needs a moving and a fixed file');
    // A folder the user names relative is taken from the results folder, never from the host's working directory
    // (under `npm run web`, the checkout).
    const outDir = request.outDir !== undefined ? resolve(await this.resultsRoot(), request.outDir) : await this.defaultOutDir(request.moving, request.fixed);
    // Checked here too, to say it in the app's words (the pipeline's own refusal names the command line's --overwrite).
    const obstacle = await outputFolderObstacle(outDir, request.overwrite ?? false);
    if (obstacle === 'is-file') throw new Error(`${outDir} is a file: choose a folder for the results (Advanced › Output folder)`);
    if (obstacle === 'not-empty') throw new Error(`${outDir} already holds files: choose a new or empty folder for the results (Advanced › Output folder)`);
    const input = request.overwrite ? await inputInsideFolder(outDir, requestInputPaths({ ...request, outDir })) : undefined;
    if (input !== undefined) throw new Error(`${outDir} holds ${basename(input)}, an input of this registration, which replacing the folder would delete: choose another folder for the results (Advanced › Output folder)`);
    // A cancel that terminates the thread mid-write has its partial folder removed by the job runner.
    return this.jobs.start('register', { ...request, outDir }, { label: `Registering ${basename(request.moving)} onto ${basename(request.fixed)}` }).id;
  }

  async cancel(jobId: JobId): Promise<boolean> {
    return this.jobs.cancel(jobId);
  }

  openResultsFolder(path: string): Promise<ResultsPayload> {
    if (typeof path !== 'string' || path.trim() === '') return Promise.reject(new Error('give the path of a results folder'));
    return readResultsFolder(path).then((results) => ({ ...results, warnings: results.warnings.map((w) => this.userWords(w)) }));
  }

  exportResult(request: ExportRequest): Promise<ExportResult> {
    return exportResult(request);
  }

  async applyRegistration(request: ApplyRequest): Promise<ApplyResult> {
    if (typeof request?.resultsDir !== 'string' || request.resultsDir.trim() === '') throw new Error('applying a registration needs its results folder');
    return this.readSource(request.input, async (input, name) => {
      const kind = await inputKindOf(input);
      if (kind === undefined) throw new InputError(input, 'unsupported', 'not a file format Monge knows (images, label maps, meshes or landmarks; see the README)');
      const warp = async (output: string) => {
        const params: ApplyFieldRequest = {
          input,
          field: resolve(request.resultsDir),
          output,
          inverse: request.inverse === true,
          ...(request.assumeFrame === 'LPS' || request.assumeFrame === 'RAS' ? { assumeFrame: request.assumeFrame } : {}),
          ...(typeof request.prefix === 'string' && request.prefix !== '' ? { prefix: request.prefix } : {}),
        };
        const { kind, count, interpolation, outsideField, seconds } = await this.jobs.start<ApplyFieldResult>('warp', params, { label: `Applying the registration to ${name}` }).result;
        return { kind, count, interpolation, outsideField, seconds };
      };
      if (request.destination !== undefined) {
        const path = resolve(request.destination);
        // As `monge warp`: never over the file carried nor the field it goes through, nor into a missing folder.
        const problem = await outputFileProblem(path, [input, ...(await fieldFilesOf(resolve(request.resultsDir)))], 'any');
        if (problem) throw new Error(problem);
        return { fileName: basename(path), path, ...(await warp(path)) };
      }
      // Without a destination the file is made in the session folder and its bytes go back for download.
      const fileName = appliedFileName(name, kind, request.inverse ? 'moving' : 'fixed');
      const scratch = join(await this.sessionDir(), 'applied', String(++this.uploads));
      await mkdir(scratch, { recursive: true });
      try {
        const summary = await warp(join(scratch, fileName));
        return { fileName, bytes: new Uint8Array(await readFile(join(scratch, fileName))), ...summary };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
  }

  /** Stops every job and removes the session folder if the service made it. */
  async dispose(): Promise<void> {
    await this.jobs.dispose();
    if (this.workDir !== undefined && this.options.workDir === undefined) await rm(await this.workDir, { recursive: true, force: true });
  }

  private sessionDir(): Promise<string> {
    this.workDir ??= mkdtemp(join(tmpdir(), 'monge-session-'));
    return this.workDir;
  }

  /** Where results go unless the user says otherwise: `resultsRoot`, else the session folder's `results`. */
  private async resultsRoot(): Promise<string> {
    return resolve(this.options.resultsRoot ?? join(await this.sessionDir(), 'results'));
  }

  private async defaultOutDir(moving: string, fixed: string): Promise<string> {
    const root = await this.resultsRoot();
    const stem = (p: string): string => safeUploadName(basename(p)).replace(/\.(nii\.gz|gii\.gz|[a-z0-9]+)$/i, '');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return join(root, `${stem(moving)}-to-${stem(fixed)}-${stamp}`);
  }

  /** Reads a source at its host path; errors about an upload's session copy name the file as the user knows it. */
  private async readSource<T>(source: FileSource, read: (path: string, name: string) => Promise<T>): Promise<T> {
    const { path, name } = await this.locate(source);
    try {
      return await read(path, name);
    } catch (error) {
      throw 'bytes' in source ? renamed(error, path, name) : error;
    }
  }

  /** The host path of a source (uploads are written to the session folder first) and the name to show. */
  private async locate(source: FileSource): Promise<{ path: string; name: string }> {
    if ('bytes' in source) {
      if (!(source.bytes instanceof Uint8Array)) throw new Error('an uploaded file needs its bytes');
      const name = safeUploadName(source.name);
      const dir = join(await this.sessionDir(), 'uploads', String(++this.uploads));
      await mkdir(dir, { recursive: true });
      const path = join(dir, name);
      await writeFile(path, source.bytes);
      this.uploadNames.set(path, name);
      return { path, name };
    }
    if (typeof source.path !== 'string' || source.path === '') throw new Error('give the path of a file to open');
    const path = resolve(source.path);
    return { path, name: basename(path) };
  }

  private async open(path: string, name: string, options: OpenOptions): Promise<OpenedFile> {
    // Before the folder is taken for a DICOM series, which a results folder would fail as, naming DICOM.
    if (await isResultsFolder(path)) throw new ResultsFolderError(path);
    const kind = await inputKindOf(path);
    if (kind === undefined) throw new InputError(path, 'unsupported', 'not a file format Monge knows (meshes, landmarks or volumes; see the README)');
    if (kind === 'image' && options.landmarks === true) throw new InputError(path, 'unsupported', 'is a volume, not a landmark file');
    if (kind !== 'image') {
      const shape = await readShape(path, { assumeFrame: options.assumeFrame, prefix: options.prefix, spacingMm: options.spacingMm });
      // As the registration would refuse it (core/registration/pipeline/inputs.ts): there is nothing to show or register.
      if (shape.pointsLps.length === 0) throw new InputError(path, 'empty', 'holds no points');
      return { kind: shape.kind, path, name, shape: toDisplayShape(shape), warnings: [] };
    }
    const image = await readImage(path);
    const isMask = looksLikeMask(image.data);
    const volume: OpenedFile & { kind: 'image' } = {
      kind: 'image',
      path,
      name,
      // Named as the user knows the file (an upload's session copy has another path).
      warnings: image.warnings.map((w) => w.split(path).join(name)),
      volume: {
        geometry: {
          size: [...image.size],
          spacingMm: [...image.spacingMm],
          originLps: [...image.originLps],
          directionLps: [...image.directionLps],
          components: image.components,
        },
        valueRange: valueRange(image.data, 1, false),
        isMask,
        slices: extractSlices(image, isMask ? densestIndices(image) : undefined),
      },
    };
    const s = options.surface ?? {};
    if ((isMask || s.threshold !== undefined) && image.components === 1) {
      const { size, spacingMm, originLps, directionLps, components, data } = image;
      const params: SurfaceJobParams = { image: { size, spacingMm, originLps, directionLps, components, data }, ...s };
      const buffer = image.data.buffer;
      const job = this.jobs.start<DisplayShape>('surface', params, {
        label: `Extracting the surface of ${name}`,
        transfer: buffer instanceof ArrayBuffer ? [buffer] : [],
      });
      volume.volume.surface = await job.result;
    }
    return volume;
  }
}

/** An error about the session copy of an upload, re-worded with the name the user knows. */
function renamed(error: unknown, path: string, name: string): unknown {
  if (!(error instanceof Error) || error instanceof CancelledError) return error;
  const info = toErrorInfo(error);
  // The upload's own path, then any other file beside it in its session folder (an .mhd's data file) by its name.
  const message = info.message.split(path).join(name).split(`${dirname(path)}${sep}`).join('');
  if (error instanceof InputError) return new InputError(name, error.problem, message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message);
  return new ApiError({ ...info, message, ...(info.file !== undefined ? { file: info.file === path ? name : info.file } : {}) });
}
