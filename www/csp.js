// The JS API under a strict CSP: mount the form, listen to its events.
import { mount } from '/pkg/index.js';

const form = await mount(document.getElementById('form'), '/forms/ct01.json', {
  catalogs: '/catalogs/admin-units.json',
  action: '/api/submissions',
  uploads: '/api/uploads',
  styles: false, // the page links /pkg/tokhai.css itself
});
const status = document.getElementById('status');
form.on('invalid', ({ issues }) => {
  status.textContent = `${issues.length} lỗi cần sửa`;
});
form.on('submitted', ({ response }) => {
  status.textContent = `Đã nộp: ${response?.receipt?.id ?? ''}`;
});
document.body.dataset.ready = 'true';
