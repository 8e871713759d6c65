// Uses of the API the declarations must refuse (each line below an expectation must fail to type-check),
// and uses they must accept, beside the guide's examples.
import { mount, type TokhaiHandle } from 'tokhai';

declare const form: TokhaiHandle;

// @ts-expect-error: an event the widget never emits.
form.on('sumbitted', () => {});
// @ts-expect-error: `ready` comes before `mount` resolves, so the handle cannot listen to it.
form.on('ready', () => {});
// @ts-expect-error: a change's detail has no `values`.
form.on('change', ({ values }) => values);
// @ts-expect-error: the language is read, not written.
form.language = 'en';
// @ts-expect-error: `styles` takes a URL or false, not true.
await mount(document.body, '/forms/ct01.json', { styles: true });

form.on('step', ({ index, id }) => `${index} ${id}`);
const element = document.querySelector('tokhai-form');
element?.addEventListener('tokhai-refused', (event) => event.detail.issues);
element?.ready.then((handle) => handle.timing());
document.addEventListener('tokhai-timing', (event) => event.detail);
