/**
 * The typed API of Monge's service: what the user interface may ask of the host, and what it gets back. One
 * contract for every host: the Electron main process (IPC, main/electron) and the web host (WebSocket,
 * main/web-host) both map these calls onto the same MongeService through one dispatcher (dispatcher.ts), and the
 * renderer talks to either through the same client (api-client.ts).
 *
 * TYPES ONLY (plus constant lists): the renderer imports this file, so it must never pull in Node code.
 *
 * Geometry travels as Float32 (positions to ~0.01 µm at 100 mm — far below display resolution) in millimetres and
 * in LPS, Monge's internal frame (core/frames); the renderer shows LPS as it is.
 */
import type { Frame } from '../../core/frames/index.ts';
import type { FieldFormat, RegisterRequest, ShapePhaseName } from '../../core/registration/types.ts';
import type { ApplyFieldResult } from '../../core/warp/apply-field.ts';

export type { FieldFormat, PresetName, ShapePhaseName, StepName } from '../../core/registration/types.ts';

export type JobId = string;
export type Vec3 = [number, number, number];
/** [xmin, xmax, ymin, ymax, zmin, zmax], mm, LPS (VTK's order). */
export type Bounds6 = [number, number, number, number, number, number];

/** A named per-point array ready to colour by. */
export interface DisplayArray {
  name: string;
  components: number;
  /** Interleaved values (spatial vectors in LPS mm). */
  values: Float32Array;
  /** Each tuple is an LPS 3-vector (displacement): colour by its magnitude, draw it as a glyph. */
  spatialVector: boolean;
  /** [min, max] of the values; of the magnitude for spatial vectors. */
  range: [number, number];
}

/** A mesh or a point set as the renderer draws it. */
export interface DisplayShape {
  kind: 'mesh' | 'points';
  /** Vertex positions, mm, LPS, interleaved xyz. */
  pointsLps: Float32Array;
  /** Triangles as interleaved vertex indices; empty for point sets. */
  triangles: Uint32Array;
  arrays: DisplayArray[];
  /** Per-point names (landmarks), when the file has them. */
  labels?: string[];
  boundsLps: Bounds6;
  /** The frame the file was in (informative: positions are LPS regardless). */
  sourceFrame: Frame;
}

/** Anatomical name of a slice plane, by the LPS axis its normal is closest to (z: axial, y: coronal, x: sagittal). */
export type SliceOrientation = 'axial' | 'coronal' | 'sagittal';
export const SLICE_ORIENTATIONS: readonly SliceOrientation[] = ['axial', 'coronal', 'sagittal'];

/**
 * One slice of a volume: the voxels with index `index` along index axis `axis`. Pixel (c, r) (column, row) lies at
 * originLps + c·uStepLps + r·vStepLps; rows and columns are ordered for display as radiology viewers do
 * (patient left on the screen's right, anterior or superior at the top; see slices.ts).
 */
export interface DisplaySlice {
  orientation: SliceOrientation;
  axis: 0 | 1 | 2;
  index: number;
  width: number;
  height: number;
  /** width × height scalar values (the first component), row-major. */
  values: Float32Array;
  originLps: Vec3;
  uStepLps: Vec3;
  vStepLps: Vec3;
  /** Anatomical direction labels of the image edges (LPS letters): left, right, top, bottom of the drawn image. */
  edgeLabels: { left: string; right: string; top: string; bottom: string };
}

/** Geometry of a volume (ITK's model: p = origin + D·diag(spacing)·ijk, D's columns the axis directions). */
export interface VolumeGeometry {
  size: Vec3;
  spacingMm: Vec3;
  originLps: Vec3;
  /** Row-major 3×3; column c = LPS direction of index axis c. */
  directionLps: number[];
  components: number;
}

/** A volume as the renderer shows it: three orthogonal slices and, for masks, the extracted surface. */
export interface DisplayVolume {
  geometry: VolumeGeometry;
  /** [min, max] of the voxel values. */
  valueRange: [number, number];
  /** True when the voxels are a mask or a label map (integers, few distinct values). */
  isMask: boolean;
  slices: DisplaySlice[];
  /** The surface of the mask (decimated for display); absent for grey images unless a threshold was given. */
  surface?: DisplayShape;
}

/** A file to open: a path on the host, or bytes the user dropped or uploaded (with their original name). */
export type FileSource = { path: string } | { name: string; bytes: Uint8Array };

export interface OpenOptions {
  /** Opened as landmarks: a volume is refused before it is read (its surface would take seconds to extract). */
  landmarks?: boolean;
  /** Frame of a mesh or point file that declares none. */
  assumeFrame?: Frame;
  /** CSV landmarks: columns `<prefix>_x, <prefix>_y, <prefix>_z`. */
  prefix?: string;
  /** DIR-Lab `.txt` landmarks: the CT voxel spacing (mm). */
  spacingMm?: Vec3;
  /** Surface extraction from a volume (display only; the pipeline extracts its own). */
  surface?: {
    /** Decimate to about this many vertices (default 3000). */
    targetVertices?: number;
    smoothIterations?: number;
    label?: number;
    threshold?: number;
  };
}

/**
 * What openFile returns. `path` is where the file lives on the host (uploads are kept in a session folder);
 * `warnings` are the reader's (a NIfTI whose sform and qform disagree), which `monge info` prints on stderr.
 */
export type OpenedFile =
  | { kind: 'mesh' | 'points'; path: string; name: string; shape: DisplayShape; warnings: string[] }
  | { kind: 'image'; path: string; name: string; volume: DisplayVolume; warnings: string[] };

/**
 * A cohort residual prior (`monge train-prior`) checked and ready for a registration's `residualPrior`: `path` is
 * where it lives on the host (uploads are kept in the session folder), the rest is what the user needs to see to
 * know it is the right one.
 */
export interface OpenedPrior {
  path: string;
  name: string;
  /** The annotated cases it was learned from (as `monge train-prior` named them: their output folders). */
  cases: string[];
  /** Cohort landmarks it holds. */
  landmarks: number;
  /** Kernel width σ (normalised units) and shrinkage α it applies. */
  sigma: number;
  shrink: number;
}

/** A registration as the user interface asks for it: the output folder may be left to the service. */
export type RegisterJobRequest = Omit<RegisterRequest, 'outDir'> & { outDir?: string };

/** Jobs the service runs in worker threads. */
export type JobKind = 'register' | 'surface';

/** What a running job tells the user interface. Every job ends with exactly one of done / failed / cancelled. */
export type JobEvent =
  | { type: 'started'; jobId: JobId; kind: string; label: string }
  | { type: 'progress'; jobId: JobId; kind: string; stage: string; fraction: number }
  | { type: 'done'; jobId: JobId; kind: string; outDir?: string }
  | { type: 'failed'; jobId: JobId; kind: string; message: string; file?: string }
  | { type: 'cancelled'; jobId: JobId; kind: string };

/** One row of the metrics table: a value per column of ReportView.columns (null where not measured). */
export interface MetricRow {
  /** Dotted path in report.json, e.g. `tre.mean`. */
  key: string;
  /** Human name, e.g. `TRE mean`. */
  label: string;
  /** `mm`, `s`, `%`, `MB` or '' (unitless). */
  unit: string;
  values: (number | null)[];
  /** A detail (a count, a one-way or signed distance summary) that the table shows on request, not at first. */
  detail?: boolean;
}

/** report.json, as the results panel shows it. */
export interface ReportView {
  /** Column names: `before`, then the steps that ran, e.g. ['before', 'prealign', 'net', 'finetune']. */
  columns: string[];
  metrics: MetricRow[];
  /** Wall time and peak memory per step. */
  steps: { name: string; seconds: number | null; peakMemoryMb: number | null }[];
  /** Compute engine that ran, in words (e.g. `cpu, 2 threads, wasm-simd`). */
  engine?: string;
  version?: string;
  preset?: string;
}

/** Landmarks of a result; errors are per landmark (mm) between warped (or moving) and fixed. */
export interface ResultLandmarks {
  moving?: DisplayShape;
  fixed?: DisplayShape;
  warped?: DisplayShape;
  errorsMm?: Float32Array;
}

/** Slices of the fixed volume and of the moving volume resampled on them (through the field when there is one). */
export interface ResultSlices {
  fixed: DisplaySlice[];
  /** The moving image on the fixed slices: warped through the field when the folder has one, else as is. */
  moving: DisplaySlice[];
  warpedThroughField: boolean;
}

/**
 * A finished `monge register` output folder (layout: core/registration/types.ts REGISTRATION_OUTPUTS). Shapes carry
 * only the arrays the view colours by, and equal arrays are one object (the shapes' shared triangulation), sent
 * once: treat them as read-only.
 */
export interface ResultsPayload {
  dir: string;
  /** The warped moving shape, with `displacement`, `confidence` and `surface_distance` arrays where known. */
  warped: DisplayShape;
  moving?: DisplayShape;
  fixed?: DisplayShape;
  /** The moving shape after each step that ran and after the residual prior's correction, in pipeline order. */
  steps: { step: ShapePhaseName; shape: DisplayShape }[];
  landmarks: ResultLandmarks;
  slices?: ResultSlices;
  report?: ReportView;
  /** Relative names of the files present (for the export panel). */
  files: string[];
  /** The format of the field file present, if any. */
  fieldFormat?: FieldFormat;
  /** File names of the inputs the report names. */
  inputNames?: { moving?: string; fixed?: string };
  /** Things worth telling the user (a missing input, an unreadable report). */
  warnings: string[];
}

export type ExportKind = 'field' | 'warped-mesh' | 'warped-landmarks' | 'report' | 'screenshot';
export const EXPORT_KINDS: readonly ExportKind[] = ['field', 'warped-mesh', 'warped-landmarks', 'report', 'screenshot'];

/** Formats each export kind can be written in (file-name suffixes without the dot). */
export const EXPORT_FORMATS: Record<ExportKind, readonly string[]> = {
  field: ['nii.gz', 'nrrd', 'mha'],
  'warped-mesh': ['vtk', 'vtp', 'stl', 'ply', 'obj', 'gii'],
  'warped-landmarks': ['csv', 'fcsv', 'mrk.json'],
  report: ['json'],
  screenshot: ['png'],
};

/**
 * An export. With `destination` (a path on the host, e.g. from a save dialog) the file is written there; without
 * it the bytes come back for the user interface to download.
 */
export interface ExportRequest {
  kind: ExportKind;
  /** The results folder exported from (every kind but `screenshot`). */
  resultsDir?: string;
  /** One of EXPORT_FORMATS[kind]; default: the first, or the destination's suffix. */
  format?: string;
  destination?: string;
  /** Screenshot: the PNG the user interface rendered. */
  bytes?: Uint8Array;
}

export interface ExportResult {
  fileName: string;
  /** Where the file was written (with a destination). */
  path?: string;
  /** The file's bytes (without a destination). */
  bytes?: Uint8Array;
}

/**
 * A registration applied to another file of the patient (a CT, a label map, a mesh, landmarks), moving → fixed (or
 * fixed → moving) through the results folder's displacement field, as `monge warp` does (core/warp/apply-field.ts). With
 * `destination` the warped file is written there; without it the bytes come back for the user interface to download.
 */
export interface ApplyRequest {
  resultsDir: string;
  input: FileSource;
  /**
   * Fixed → moving instead (`monge warp --inverse`): an image then goes through the folder's inverse field, onto the
   * moving grid (register with Parameters › Inverse field).
   */
  inverse?: boolean;
  destination?: string;
  /** A point file: the frame of one that declares none, and the CSV column prefix (`monge warp --prefix`). */
  assumeFrame?: Frame;
  prefix?: string;
}

/** The file written (or its bytes) and core's account of the warp (core/warp/apply-field.ts). */
export interface ApplyResult extends Pick<ApplyFieldResult, 'kind' | 'count' | 'interpolation' | 'outsideField' | 'seconds'> {
  fileName: string;
  path?: string;
  bytes?: Uint8Array;
}

/** Which compute engine registrations would run on, for Help › About. */
export interface EngineInfo {
  /** `tfjs` when a CUDA build of TensorFlow.js is installed, else `cpu`. */
  name: string;
  description: string;
  threads: number;
}

export interface HostInfo {
  host: 'electron' | 'web';
  mongeVersion: string;
  /** Runtime versions (node, v8, electron, chrome …). */
  versions: Record<string, string>;
  engine: EngineInfo;
  platform: string;
}

/** The calls, each answered asynchronously. */
export interface MongeApi {
  hostInfo(): Promise<HostInfo>;
  /** Reads a mesh, a point set or a volume (volumes: slices plus the mask surface, extracted in a worker). */
  openFile(source: FileSource, options?: OpenOptions): Promise<OpenedFile>;
  /** Reads and checks a residual prior file, for a registration's `residualPrior`. */
  openPrior(source: FileSource): Promise<OpenedPrior>;
  /** Starts a registration in a worker; progress and the end arrive as JobEvents. */
  register(request: RegisterJobRequest): Promise<JobId>;
  /** Cancels a job (its worker stops within a second). False when no such job runs. */
  cancel(jobId: JobId): Promise<boolean>;
  openResultsFolder(path: string): Promise<ResultsPayload>;
  exportResult(request: ExportRequest): Promise<ExportResult>;
  /** Warps another file through a results folder's field, in a worker (progress arrives as JobEvents). */
  applyRegistration(request: ApplyRequest): Promise<ApplyResult>;
}

export type ApiMethod = keyof MongeApi;
export const API_METHODS: readonly ApiMethod[] = ['hostInfo', 'openFile', 'openPrior', 'register', 'cancel', 'openResultsFolder', 'exportResult', 'applyRegistration'];

/** An error as it crosses a host boundary: its message, and the file it concerns when it is about a file. */
export interface ApiErrorInfo {
  name: string;
  message: string;
  file?: string;
}

/**
 * ApiErrorInfo.name of openFile's refusal of a folder that `monge register` wrote: the app opens it as results
 * instead (a results folder dropped on the window).
 */
export const RESULTS_FOLDER_ERROR = 'ResultsFolderError';

/** The answer to one call, as both hosts send it (errors travel as data, never as a host's own exception). */
export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiErrorInfo };

/** Commands the desktop host sends the user interface (menus, files handed over by the OS). */
export type HostCommand =
  | { type: 'open'; role: 'moving' | 'fixed' | 'moving-landmarks' | 'fixed-landmarks' | 'auto'; path: string }
  | { type: 'open-results'; path: string }
  | { type: 'export'; kind: ExportKind; format?: string }
  | { type: 'apply'; path: string }
  | { type: 'view'; action: 'reset-camera' | 'toggle-split' | 'toggle-slices' }
  | { type: 'register' }
  | { type: 'cancel' };

/** What a native open dialog is for (its title and file filters: main/electron/dialogs.ts). */
export type OpenPurpose = 'moving' | 'fixed' | 'landmarks' | 'prior' | 'results' | 'apply';
export const OPEN_PURPOSES: readonly OpenPurpose[] = ['moving', 'fixed', 'landmarks', 'prior', 'results', 'apply'];

/** What only the desktop host offers: native dialogs, menus, and paths of dropped files. */
export interface HostBridge {
  pickOpenPath(purpose: OpenPurpose): Promise<string | undefined>;
  pickSavePath(suggestedName: string): Promise<string | undefined>;
  /** The path of a dropped file (Electron's webUtils.getPathForFile). */
  pathForFile(file: unknown): string | undefined;
  onCommand(listener: (command: HostCommand) => void): () => void;
}

/**
 * What Electron's preload puts on `window.monge` (contextBridge): the raw call, job events and the host's extras.
 * Calls answer with a CallOutcome rather than throwing, because errors crossing contextBridge keep only their
 * message; the renderer wraps `call` with api-client.ts into a MongeApi.
 */
export interface MongeBridge {
  call(method: ApiMethod, args: unknown[]): Promise<CallOutcome>;
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  host: HostBridge;
}

/** The object the user interface works with: the API, job events, and the host's extras where there are any. */
export interface MongeClient extends MongeApi {
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  host?: HostBridge;
}
