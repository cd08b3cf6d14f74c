/** Files dropped on the window: each opened by what it holds (shapes before landmarks); folders only by path. */
import type { AppActions } from './actions.ts';
import { byId } from './dom.ts';
import { FOLDER_BY_PATH, looksLikePoints } from './input-files.ts';

export function wireDragAndDrop(app: AppActions): void {
  const view = byId('view3d');
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    view.classList.add('dragging');
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) view.classList.remove('dragging');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    view.classList.remove('dragging');
    // Shapes before landmarks: opening a shape closes the landmarks of the previous pair, not the dropped ones.
    const transfer = e.dataTransfer;
    // A folder reaches a page as an unreadable empty file; only the desktop app has its path (a DICOM series, or
    // a results folder, which open() shows as results).
    const folders = new Set([...(transfer?.items ?? [])].filter((item) => item.webkitGetAsEntry()?.isDirectory).map((item) => item.getAsFile()?.name));
    const all = [...(transfer?.files ?? [])];
    const files = all.filter((f) => !folders.has(f.name) || app.client.host?.pathForFile(f));
    for (const f of all) if (!files.includes(f)) app.messages.error(`${f.name} is a folder, which a page cannot read: ${FOLDER_BY_PATH}.`);
    files.sort((a, b) => Number(looksLikePoints(a.name)) - Number(looksLikePoints(b.name)));
    void (async () => {
      for (const file of files) await app.openDropped(file, 'auto');
    })();
  });
}
