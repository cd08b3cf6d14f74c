/**
 * The panels' controls: Path on the host, Cancel, Advanced › Label / Threshold, the layers' visibility and opacity,
 * Colour by, glyphs, landmarks, Step, before/after, split view, camera reset, slice blend, and the Export panel's
 * buttons with Apply to file.
 */
import type { AppActions } from './actions.ts';
import { byId } from './dom.ts';
import { type Role, sourceOfFile } from './input-files.ts';

export function wirePanelControls(app: AppActions): void {
  byId<HTMLFormElement>('path-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const path = byId<HTMLInputElement>('path-input').value.trim();
    if (!path) return;
    const role = byId<HTMLSelectElement>('path-role').value;
    if (role === 'results') void app.openResults(path);
    else void app.open(role as Role | 'prior', { path });
  });
  byId('btn-cancel').addEventListener('click', () => void app.cancelAll());
  for (const id of ['knob-label', 'knob-threshold']) byId(id).addEventListener('change', () => void app.reselectVolumes());
  for (const layer of ['moving', 'fixed', 'warped'] as const) {
    const show = byId<HTMLInputElement>(`show-${layer}`);
    const opacity = byId<HTMLInputElement>(`opacity-${layer}`);
    show.addEventListener('change', () => app.scene.view.setLayerVisible(layer, show.checked));
    opacity.addEventListener('input', () => app.scene.view.setLayerOpacity(layer, Number(opacity.value)));
  }
  byId('color-by').addEventListener('change', () => app.scene.applyColor());
  const glyphs = byId<HTMLInputElement>('show-glyphs');
  glyphs.addEventListener('change', () => app.scene.view.setGlyphs(glyphs.checked));
  const landmarks = byId<HTMLInputElement>('show-landmarks');
  landmarks.addEventListener('change', () => app.scene.view.setLandmarks(landmarks.checked));
  byId('step-select').addEventListener('change', () => app.scene.refresh(false));
  const beforeAfter = byId<HTMLInputElement>('before-after');
  beforeAfter.addEventListener('input', () => app.scene.view.setBlend(Number(beforeAfter.value)));
  const split = byId<HTMLInputElement>('split-view');
  split.addEventListener('change', () => app.scene.view.setSplit(split.checked));
  byId('btn-reset-camera').addEventListener('click', () => app.scene.view.resetCamera());
  const blend = byId<HTMLInputElement>('slice-blend');
  blend.addEventListener('input', () => app.scene.slices.setBlend(Number(blend.value)));
  byId('export-field').addEventListener('click', () => void app.export('field', byId<HTMLSelectElement>('export-field-format').value));
  byId('export-mesh').addEventListener('click', () => void app.export('warped-mesh', byId<HTMLSelectElement>('export-mesh-format').value));
  byId('export-landmarks').addEventListener('click', () => void app.export('warped-landmarks', byId<HTMLSelectElement>('export-landmarks-format').value));
  byId('export-screenshot').addEventListener('click', () => void app.export('screenshot'));
  byId('export-report').addEventListener('click', () => void app.export('report'));
  const applyInput = byId<HTMLInputElement>('file-apply');
  byId('export-apply').addEventListener('click', () => {
    const host = app.client.host;
    if (host) void host.pickOpenPath('apply').then((path) => (path ? app.applyToFile({ path }) : undefined));
    else applyInput.click();
  });
  applyInput.addEventListener('change', () => {
    const file = applyInput.files?.[0];
    applyInput.value = '';
    if (file) void sourceOfFile(app.client, file).then((source) => app.applyToFile(source));
  });
}
