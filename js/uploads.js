// Attached files: the files chosen in each box, photos shrunk to fit, each file uploaded once with its progress.
import { backoff, endpoint, post, retryable, retryAfter, sleep, withRetries } from './http.js';

/** Tries of one file's upload before the citizen is asked to choose it again. */
const UPLOAD_ATTEMPTS = 3;

/** Longest side, in pixels, of a photo shrunk to fit its field (sharp enough to read a document). */
const PHOTO_MAX_SIDE = 2400;

/**
 * A photo larger than `maxSize` bytes as a JPEG that fits (at most PHOTO_MAX_SIDE pixels a side, the
 * quality lowered as needed): a phone's camera takes 3 to 10 MB pictures, more than most forms take.
 * Any other file, or a photo the browser cannot decode or shrink enough, comes back as it is.
 */
async function fitPhoto(file, maxSize) {
  if (!file.type.startsWith('image/') || file.size <= maxSize) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    for (const quality of [0.85, 0.7, 0.5]) {
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      if (blob.size <= maxSize) {
        const name = `${file.name.replace(/\.[^.]*$/, '')}.jpg`;
        return new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified });
      }
    }
  } catch {
    // Not decodable here (e.g. HEIC outside Safari): the field's rule says the file is too large.
  }
  return file;
}

/** Whether two files are one chosen twice (a phone names every photo image.jpg: its time tells them apart). */
const sameFile = (a, b) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

/** Whether a file is the one an entry of a file field's value names (the value holds its name in NFC). */
const isNamed = (file, entry) => file.size === entry.size && file.name.normalize('NFC') === entry.name;

/**
 * The file boxes of a form in `element`: keeps the files chosen, shrinks photos, and uploads a field's
 * files to `options.uploads` when the widget asks (`formId()`: the form's id, in the upload's URL).
 */
export function uploads(element, widget, options, dispatch, policy, formId) {
  const doc = element.ownerDocument;
  let destroyed = false;

  /** The change events this face sent itself, with the photos fitted: the files chosen, in order. */
  const fittedChanges = new WeakMap();

  /**
   * The files in each box that takes several, as chosen (`chosen`, before a photo is shrunk) and as the
   * widget got them (`sent`): a file chosen again is not added twice.
   */
  const heldFiles = new Map();

  /** A file's remove button: that file is no longer held (two of one name and size are told apart by place). */
  const onRemoveFile = (event) => {
    const button = event.target.closest?.('[data-act=remove-file]');
    if (button) heldFiles.get(button.closest('[data-path]')?.dataset.path)?.splice(Number(button.dataset.index), 1);
  };
  element.addEventListener('click', onRemoveFile, true);

  /** Forgets the held files of `path` the field's new value no longer names (refused, or gone otherwise). */
  const pruneHeld = (path, value) => {
    const held = heldFiles.get(path);
    if (!held) return;
    const left = Array.isArray(value) ? [...value] : [];
    const named = ({ sent }) => {
      const i = left.findIndex((v) => isNamed(sent, v));
      return i >= 0 && left.splice(i, 1).length > 0;
    };
    heldFiles.set(path, held.filter(named));
  };

  /**
   * The files chosen in each file box and not uploaded yet, by path: a box holds only its latest choice,
   * while a field taking several files adds each choice to the earlier ones.
   */
  const chosenFiles = new Map();

  /**
   * Keeps the files chosen in a box for their upload. Photos too large for its field are first shrunk
   * to fit, before the widget reads the choice (this listener captures the change, then sends it again
   * with the new files).
   */
  const onFilesChosen = async (event) => {
    const input = event.target;
    if (input?.type !== 'file') return;
    const path = input.dataset.path;
    let files = [...(input.files ?? [])];
    if (input.multiple && !fittedChanges.has(event)) {
      const held = (heldFiles.get(path) ?? []).map(({ chosen }) => chosen);
      const again = files.filter((f) => held.some((h) => sameFile(h, f)));
      if (again.length) {
        widget.chosenAgain(again.map((f) => f.name).join(', '));
        files = files.filter((f) => !again.includes(f));
        if (!files.length) {
          // Nothing new: the box keeps its files, and the widget hears of no change.
          event.stopImmediatePropagation();
          input.value = '';
          return;
        }
        const fresh = new DataTransfer();
        for (const file of files) fresh.items.add(file);
        input.files = fresh.files;
      }
    }
    // The size photos must fit, on boxes whose field takes JPEG images and has a limit (the core says which).
    const maxSize = Number(input.dataset.fitPhotos);
    const fits = fittedChanges.has(event) || !maxSize || !files.some((f) => f.type.startsWith('image/') && f.size > maxSize);
    if (fits) {
      chosenFiles.set(path, [...(chosenFiles.get(path) ?? []), ...files]);
      if (input.multiple) {
        const chosen = fittedChanges.get(event) ?? files;
        heldFiles.set(path, [...(heldFiles.get(path) ?? []), ...files.map((sent, i) => ({ chosen: chosen[i] ?? sent, sent }))]);
      }
      return;
    }
    event.stopImmediatePropagation();
    const fitted = new DataTransfer();
    for (const file of files) fitted.items.add(await fitPhoto(file, maxSize));
    if (destroyed) return;
    input.files = fitted.files;
    const change = new Event('change', { bubbles: true });
    fittedChanges.set(change, files);
    input.dispatchEvent(change);
  };
  element.addEventListener('change', onFilesChosen, true);

  /** The latest upload of each file field: an answer for files no longer chosen is dropped. */
  const uploadRuns = new Map();

  /** Each file's upload on its way or done (its reference): a file chosen before is not sent twice. */
  const sentFiles = new WeakMap();

  /** The bytes of each file sent so far. */
  const bytesSent = new WeakMap();

  /** The files each field's latest upload waits for, and the percentage the widget was last told. */
  const uploadShown = new Map();

  /**
   * Tells the widget how much of a field's files is sent, as a whole percentage when it changes: files
   * sent by an earlier upload of the field (a page chosen while another was on its way) count too.
   */
  const tellProgress = (path) => {
    const shown = uploadShown.get(path);
    if (!shown || destroyed) return;
    const sent = shown.files.reduce((sum, f) => sum + Math.min(bytesSent.get(f) ?? 0, f.size), 0);
    const total = shown.files.reduce((sum, f) => sum + f.size, 0) || 1;
    const percent = Math.floor((sent * 100) / total);
    if (percent !== shown.percent) widget.uploadProgress(path, (shown.percent = percent));
  };

  /**
   * The files of a field the back end does not keep yet (`files`: their name, size and type in the
   * values): uploaded one by one, their references (or the failure) handed to the widget.
   */
  const attach = async ({ path, field, files: wanted }) => {
    // The chosen files the values name, in their order; the others were removed meanwhile.
    const pool = [...(chosenFiles.get(path) ?? [])];
    const take = (w) => {
      const i = pool.findIndex((f) => isNamed(f, w));
      return i < 0 ? undefined : pool.splice(i, 1)[0];
    };
    const files = wanted.map(take);
    chosenFiles.set(path, files.filter(Boolean));
    const run = (uploadRuns.get(path) ?? 0) + 1;
    uploadRuns.set(path, run);
    let references = null;
    let refusal;
    uploadShown.set(path, { files: files.filter(Boolean), percent: 0 });
    try {
      if (!files.every(Boolean)) throw new Error(`tokhai: a file of ${path} is no longer at hand; it is to be chosen again`);
      references = [];
      for (const file of files) {
        if (!sentFiles.has(file)) {
          const sending = uploadFile(field, file, (sent) => {
            bytesSent.set(file, sent);
            tellProgress(path);
          });
          sentFiles.set(file, sending);
          sending.catch(() => sentFiles.delete(file));
        }
        references.push(await sentFiles.get(file));
        bytesSent.set(file, file.size);
      }
      // Kept by the back end: a later file of the same name and size is another file.
      chosenFiles.set(path, (chosenFiles.get(path) ?? []).filter((f) => !files.includes(f)));
    } catch (error) {
      references = null;
      refusal = error.refusal && JSON.stringify(error.refusal);
      dispatch('error', { error });
    }
    if (!destroyed && uploadRuns.get(path) === run) widget.uploaded(path, references?.join('\n'), refusal);
  };

  /**
   * POSTs a file's bytes to `<uploads>/<form_id>/<field>?name=<name>` (its type as the body's), retrying
   * network errors and 5xx a few times, telling `progress` the bytes sent; resolves to the back end's
   * reference (`upload` of the answer).
   */
  const uploadFile = async (field, file, progress) => {
    const url = endpoint(options.uploads, doc, [formId(), field], { name: file.name });
    const upload = async (attempt, last) => {
      const res = await post(url, file, progress);
      const answer = res ? await res.json().catch(() => null) : null;
      const ok = !!res?.ok && typeof answer?.upload === 'string' && /^[^\n]+$/.test(answer.upload);
      return { res, answer, ok, retry: !ok && (!res || retryable(res.status)) && !last && !destroyed };
    };
    const wait = (attempt, { res }) => sleep(retryAfter(res) ?? backoff(attempt, policy));
    const { res, answer, ok } = await withRetries(UPLOAD_ATTEMPTS, upload, wait);
    if (ok) return answer.upload;
    const error = new Error(`tokhai: ${file.name} was not uploaded (${res ? res.status : 'network error'} ${answer?.error ?? ''})`);
    // Refused for what the file is (not for a login that expired): the citizen reads the back end's reason.
    if (res && res.status !== 401 && !retryable(res.status) && typeof answer?.message_vi === 'string') {
      error.refusal = { message_vi: answer.message_vi, message_en: answer.message_en ?? answer.message_vi };
    }
    throw error;
  };

  return {
    /** An answer changed: `path`'s held files its new value no longer names are forgotten. */
    changed: pruneHeld,
    attach,
    destroy() {
      destroyed = true;
      element.removeEventListener('change', onFilesChosen, true);
      element.removeEventListener('click', onRemoveFile, true);
    },
  };
}
