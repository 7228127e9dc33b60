// The snapshot schedule editor of one folder: "Take snapshots on a schedule",
// every N hours or minutes, keep the last N; saved with
// PATCH /folders/{name} {snapshot_schedule} (null turns it off).

import { api, type Folder } from '../api';
import { describeSchedule, kMaxKeep, scheduleFromForm, scheduleToForm, type ScheduleUnit } from '../lib/snapshots';
import { h, replace, uid } from '../ui/dom';
import { errorMessage } from '../ui/dialog';
import { notify } from '../ui/notice';

export function renderScheduleEditor(section: HTMLElement, folder: Folder): void {
  const initial = scheduleToForm(folder.snapshot_schedule);
  const enabled = h('input', { type: 'checkbox', id: uid('sched-on'), checked: initial.enabled });
  const everyId = uid('sched-every');
  const every = h('input', { id: everyId, type: 'number', min: '1', step: '1', inputmode: 'numeric', value: initial.every });
  const unit = h('select', { 'aria-label': 'Unit' },
    h('option', { value: 'hours', selected: initial.unit === 'hours' }, 'hours'),
    h('option', { value: 'minutes', selected: initial.unit === 'minutes' }, 'minutes'));
  const keepId = uid('sched-keep');
  const keep = h('input', { id: keepId, type: 'number', min: '1', max: String(kMaxKeep), step: '1', inputmode: 'numeric', value: initial.keep });
  const error = h('p', { class: 'field-error', role: 'alert' });
  const status = h('p', { class: 'hint', 'aria-live': 'polite' }, `Now: ${describeSchedule(folder.snapshot_schedule)}.`);
  const save = h('button', { type: 'submit', class: 'secondary' }, 'Save schedule');
  const fields = h('div', { class: 'schedule-fields' },
    h('label', { for: everyId }, 'Every'), every, unit,
    h('label', { for: keepId }, 'Keep'), keep, h('span', {}, 'scheduled snapshots'));
  const form = h('form', { novalidate: true },
    h('label', { class: 'inline', for: enabled.id }, enabled, ' Take snapshots on a schedule'),
    fields, error, save, status);

  const formValue = () => ({ enabled: enabled.checked, every: every.value, unit: unit.value as ScheduleUnit, keep: keep.value });
  const update = () => {
    for (const el of [every, unit, keep]) el.disabled = !enabled.checked;
    error.textContent = scheduleFromForm(formValue()).error ?? '';
  };
  for (const el of [enabled, every, unit, keep]) el.addEventListener('input', update);
  enabled.addEventListener('change', update);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const { schedule, error: bad } = scheduleFromForm(formValue());
    if (bad) {
      error.textContent = bad;
      return;
    }
    save.disabled = true;
    try {
      const f = await api.setSnapshotSchedule(folder.name, schedule);
      const now = f && 'snapshot_schedule' in f ? f.snapshot_schedule : schedule;
      status.textContent = `Now: ${describeSchedule(now)}.`;
      notify(schedule ? `Snapshots of ${folder.name}: ${describeSchedule(schedule)}.` : `Scheduled snapshots of ${folder.name} turned off.`);
    } catch (err) {
      error.textContent = errorMessage(err);
    } finally {
      save.disabled = false;
    }
  });

  replace(section,
    h('h2', { id: 'schedule-title' }, 'Schedule'),
    h('p', { class: 'hint' }, 'Berth takes a snapshot at this interval and deletes the oldest scheduled ones beyond the number to keep. Snapshots you take yourself are kept until you delete them.'),
    form);
  update();
}
