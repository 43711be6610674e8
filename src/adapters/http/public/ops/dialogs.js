import { byId } from './dom.js';

const MIN_TEXT_LENGTH = 3;

/**
 * Asks for confirmation and a required reason or note. Resolves to the trimmed text, or null when the
 * operator cancels. `action(text)` runs while the dialog is open: when it fails, its message is shown
 * in the dialog and the operator can correct and retry, or cancel.
 */
export function confirmWithText({ title, text, label, confirmLabel, danger = false, action }) {
  const dialog = byId('confirm-dialog');
  const form = byId('confirm-form');
  const input = byId('confirm-input');
  const error = byId('confirm-error');
  const ok = byId('confirm-ok');
  const cancel = byId('confirm-cancel');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-label').textContent = label;
  ok.textContent = confirmLabel;
  ok.classList.toggle('danger', danger);
  input.value = '';
  error.hidden = true;

  return new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onCancel = (event) => {
      event.preventDefault();
      finish(null);
    };
    const onSubmit = async (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (value.length < MIN_TEXT_LENGTH) {
        showError(`${label} is required (at least ${MIN_TEXT_LENGTH} characters).`);
        input.focus();
        return;
      }
      ok.disabled = true;
      try {
        await action(value);
        finish(value);
      } catch (failure) {
        showError(failure && failure.message ? failure.message : String(failure));
      } finally {
        ok.disabled = false;
      }
    };
    const showError = (message) => {
      error.textContent = message;
      error.hidden = false;
    };
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
}
