/**
 * Messages to the user: errors (a file that could not be opened, a failed registration), warnings (a file opened
 * with a doubt about it) and notes (a cancel, a saved export), as dismissable lines above the views. Errors always
 * say what failed and, for files, name the file; the views keep showing what they showed.
 */

const MAX_MESSAGES = 6;

export class Messages {
  constructor(private readonly container: HTMLElement) {}

  error(text: string): void {
    this.add(text, 'error');
  }

  info(text: string): void {
    this.add(text, 'info');
  }

  /** Something the user should know that did not stop the work (a reader's doubt about a file's geometry). */
  warning(text: string): void {
    this.add(text, 'warning');
  }

  clear(): void {
    this.container.replaceChildren();
  }

  private add(text: string, kind: 'error' | 'warning' | 'info'): void {
    const line = document.createElement('div');
    line.className = `message ${kind}`;
    line.dataset.kind = kind;
    const span = document.createElement('span');
    span.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Dismiss this message');
    close.addEventListener('click', () => line.remove());
    line.append(span, close);
    this.container.append(line);
    while (this.container.children.length > MAX_MESSAGES) this.container.firstElementChild?.remove();
  }
}
