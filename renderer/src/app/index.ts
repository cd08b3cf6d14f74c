/**
 * The user interface's entry: App, which wires the panels, the 3D view and the slice views to a MongeClient. The
 * files beside it hold one panel or concern each; App coordinates them.
 */
export { App } from './app.ts';
