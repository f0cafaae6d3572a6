import {
  type AxisForm,
  type MessageForm,
  type ModelForm,
  move,
  newAxis,
  newMessage,
  newModel,
  newPrompt,
  newValue,
  type PromptForm,
  removeAt,
  replaceAt,
  ROLES,
  type StageForm,
} from '../../builder/form';
import type { Scorer } from '../../api/builder';
import { fieldId } from '../../builder/errors';
import { AddButton, FieldErrors, Group, RowControls, SelectField, TextField, useReadOnly } from './fields';
import { ScorersEditor } from './ScorersEditor';

interface StageEditorProps {
  stage: StageForm;
  /** `stages[1].` in a pipeline, '' for a single stage. */
  prefix: string;
  onChange: (stage: StageForm) => void;
  endpointNames: string[];
  scorers: Scorer[] | undefined;
  pipeline: boolean;
}

/** A stage's prompts, models and parameter axes (and, in a pipeline, its own scorers). */
export function StageEditor({ stage, prefix, onChange, endpointNames, scorers, pipeline }: StageEditorProps) {
  const where = pipeline ? ` of stage ${stage.name || '(unnamed)'}` : '';
  return (
    <div className="space-y-3">
      <Group path={`${prefix}prompts`} title={`Prompts${where}`} description="Message contents are Jinja2 templates: {{ passage }} reads the item's input.">
        {stage.prompts.map((prompt, i) => (
          <PromptEditor
            key={prompt.key}
            prompt={prompt}
            path={`${prefix}prompts[${i}]`}
            index={i}
            count={stage.prompts.length}
            onChange={(next) => onChange({ ...stage, prompts: replaceAt(stage.prompts, i, next) })}
            onMove={(by) => onChange({ ...stage, prompts: move(stage.prompts, i, by) })}
            onRemove={() => onChange({ ...stage, prompts: removeAt(stage.prompts, i) })}
          />
        ))}
        <AddButton onClick={() => onChange({ ...stage, prompts: [...stage.prompts, newPrompt()] })}>Add a prompt</AddButton>
      </Group>

      <Group path={`${prefix}models`} title={`Models${where}`} description="Each model is sent to an endpoint of the project (or one defined inline in the YAML).">
        {stage.models.map((model, i) => (
          <ModelRow
            key={model.key}
            model={model}
            path={`${prefix}models[${i}]`}
            index={i}
            count={stage.models.length}
            endpointNames={endpointNames}
            onChange={(next) => onChange({ ...stage, models: replaceAt(stage.models, i, next) })}
            onMove={(by) => onChange({ ...stage, models: move(stage.models, i, by) })}
            onRemove={() => onChange({ ...stage, models: removeAt(stage.models, i) })}
          />
        ))}
        <AddButton onClick={() => onChange({ ...stage, models: [...stage.models, newModel(endpointNames[0] ?? '')] })}>
          Add a model
        </AddButton>
      </Group>

      <Group
        path={`${prefix}params`}
        title={`Parameters${where}`}
        description="Each value is YAML: 0.7 is a number, json_object a string, {type: json_object} an object. Several values make an axis."
      >
        {(stage.params ?? []).map((axis, i, axes) => (
          <AxisEditor
            key={axis.key}
            axis={axis}
            path={`${prefix}params.${axis.name}`}
            index={i}
            count={axes.length}
            onChange={(next) => onChange({ ...stage, params: replaceAt(axes, i, next) })}
            onMove={(by) => onChange({ ...stage, params: move(axes, i, by) })}
            onRemove={() => onChange({ ...stage, params: removeAt(axes, i) })}
          />
        ))}
        {(stage.params ?? []).length === 0 && <p className="text-xs text-zinc-500">No parameters: the endpoints' defaults.</p>}
        <AddButton onClick={() => onChange({ ...stage, params: [...(stage.params ?? []), newAxis()] })}>
          Add a parameter
        </AddButton>
      </Group>

      {pipeline && (
        <ScorersEditor
          path={`${prefix}scorers`}
          title={`Scorers of stage ${stage.name || '(unnamed)'}`}
          description="Score this stage's answer; they count in the composite score only with a weight."
          scorers={stage.scorers}
          available={scorers}
          onChange={(next) => onChange({ ...stage, scorers: next })}
        />
      )}
    </div>
  );
}

function PromptEditor({
  prompt,
  path,
  index,
  count,
  onChange,
  onMove,
  onRemove,
}: {
  prompt: PromptForm;
  path: string;
  index: number;
  count: number;
  onChange: (prompt: PromptForm) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const readOnly = useReadOnly();
  const what = `prompt ${prompt.name || index + 1}`;
  const toTemplate = () =>
    onChange({ ...prompt, mode: 'template', template: prompt.messages.map((m) => m.content).join('\n\n') });
  const toMessages = () => onChange({ ...prompt, mode: 'messages', messages: [newMessage('user', prompt.template)] });
  return (
    <div id={fieldId(path)} tabIndex={-1} className="rounded border border-zinc-200 bg-zinc-50 p-2">
      <div className="flex flex-wrap items-end gap-2">
        <TextField
          className="min-w-48 flex-1"
          path={`${path}.name`}
          label={`Prompt ${index + 1} name`}
          value={prompt.name}
          onChange={(name) => onChange({ ...prompt, name })}
          required
        />
        {!readOnly && (
          <button type="button" className="btn-secondary text-xs" onClick={prompt.mode === 'template' ? toMessages : toTemplate}>
            {prompt.mode === 'template' ? 'Use messages' : 'Use one template'}
          </button>
        )}
        <RowControls what={what} index={index} count={count} onMove={onMove} onRemove={onRemove} minimum={1} />
      </div>
      <FieldErrors path={path} />
      {prompt.mode === 'template' ? (
        <TextField
          className="mt-2"
          path={`${path}.template`}
          label={`Template of ${what} (one user message)`}
          value={prompt.template}
          onChange={(template) => onChange({ ...prompt, template })}
          multiline
          rows={4}
          mono
        />
      ) : (
        <div className="mt-2 space-y-2">
          <FieldErrors path={`${path}.messages`} />
          {prompt.messages.map((message, m) => (
            <MessageRow
              key={message.key}
              message={message}
              path={`${path}.messages[${m}]`}
              what={`message ${m + 1} of ${what}`}
              index={m}
              count={prompt.messages.length}
              onChange={(next) => onChange({ ...prompt, messages: replaceAt(prompt.messages, m, next) })}
              onMove={(by) => onChange({ ...prompt, messages: move(prompt.messages, m, by) })}
              onRemove={() => onChange({ ...prompt, messages: removeAt(prompt.messages, m) })}
            />
          ))}
          <AddButton
            onClick={() =>
              onChange({ ...prompt, messages: [...prompt.messages, newMessage(prompt.messages.length ? 'user' : 'system')] })
            }
          >
            Add a message
          </AddButton>
        </div>
      )}
    </div>
  );
}

function MessageRow({
  message,
  path,
  what,
  index,
  count,
  onChange,
  onMove,
  onRemove,
}: {
  message: MessageForm;
  path: string;
  what: string;
  index: number;
  count: number;
  onChange: (message: MessageForm) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const roles = ROLES.includes(message.role as (typeof ROLES)[number]) ? [...ROLES] : [...ROLES, message.role];
  return (
    <div id={fieldId(path)} tabIndex={-1} className="flex flex-wrap items-start gap-2 border-l-2 border-zinc-300 pl-2">
      <SelectField
        className="w-28"
        path={`${path}.role`}
        label={`Role of ${what}`}
        value={message.role}
        options={roles.map((role) => ({ value: role, label: role }))}
        onChange={(role) => onChange({ ...message, role })}
      />
      <TextField
        className="min-w-64 flex-1"
        path={`${path}.content`}
        label={`Content of ${what}`}
        value={message.content}
        onChange={(content) => onChange({ ...message, content })}
        multiline
        rows={Math.min(8, Math.max(2, message.content.split('\n').length))}
        mono
      />
      <div className="pt-5">
        <RowControls what={what} index={index} count={count} onMove={onMove} onRemove={onRemove} minimum={1} />
      </div>
      <FieldErrors path={path} />
    </div>
  );
}

function ModelRow({
  model,
  path,
  index,
  count,
  endpointNames,
  onChange,
  onMove,
  onRemove,
}: {
  model: ModelForm;
  path: string;
  index: number;
  count: number;
  endpointNames: string[];
  onChange: (model: ModelForm) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const names = endpointNames.includes(model.endpoint) || model.endpoint === '' ? endpointNames : [...endpointNames, model.endpoint];
  const what = `model ${model.model || index + 1}`;
  return (
    <div id={fieldId(path)} tabIndex={-1} className="flex flex-wrap items-start gap-2">
      <SelectField
        className="w-56"
        path={`${path}.endpoint`}
        label={`Endpoint of model ${index + 1}`}
        value={model.endpoint}
        options={[
          { value: '', label: names.length ? 'Choose an endpoint' : 'No endpoints in this project' },
          ...names.map((name) => ({
            value: name,
            label: endpointNames.includes(name) ? name : `${name} (not in this project)`,
          })),
        ]}
        onChange={(endpoint) => onChange({ ...model, endpoint })}
      />
      <TextField
        className="min-w-48 flex-1"
        path={`${path}.model`}
        label={`Model ${index + 1} name`}
        value={model.model}
        placeholder="gpt-4o-mini, llama3.1:8b, ..."
        onChange={(name) => onChange({ ...model, model: name })}
      />
      <div className="pt-5">
        <RowControls what={what} index={index} count={count} onMove={onMove} onRemove={onRemove} minimum={1} />
      </div>
      <FieldErrors path={path} />
    </div>
  );
}

function AxisEditor({
  axis,
  path,
  index,
  count,
  onChange,
  onMove,
  onRemove,
}: {
  axis: AxisForm;
  path: string;
  index: number;
  count: number;
  onChange: (axis: AxisForm) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const readOnly = useReadOnly();
  const label = axis.name || `parameter ${index + 1}`;
  return (
    <div id={fieldId(path)} tabIndex={-1} className="rounded border border-zinc-200 bg-zinc-50 p-2">
      <div className="flex flex-wrap items-start gap-2">
        <TextField
          className="w-48"
          path={`${path}#name`}
          label={`Parameter ${index + 1} name`}
          value={axis.name}
          placeholder="temperature"
          onChange={(name) => onChange({ ...axis, name })}
        />
        <fieldset className="min-w-0 flex-1">
          <legend className="mb-0.5 text-xs font-medium text-zinc-600">
            Values of {label} {axis.values.length > 1 ? `(${axis.values.length}, an axis)` : '(one value)'}
          </legend>
          <div className="flex flex-wrap items-center gap-1.5">
            {axis.values.map((value, v) => (
              <span key={value.key} className="flex items-center gap-0.5">
                <input
                  type="text"
                  aria-label={`Value ${v + 1} of ${label}`}
                  value={value.text}
                  readOnly={readOnly}
                  spellCheck={false}
                  onChange={(event) =>
                    onChange({ ...axis, values: replaceAt(axis.values, v, { ...value, text: event.target.value }) })
                  }
                  className="w-28 rounded border border-zinc-300 bg-white px-1.5 py-1 font-mono text-xs"
                />
                {!readOnly && axis.values.length > 1 && (
                  <button
                    type="button"
                    aria-label={`Remove value ${v + 1} of ${label}`}
                    className="rounded px-1 text-xs text-zinc-500 hover:bg-zinc-200"
                    onClick={() => onChange({ ...axis, values: removeAt(axis.values, v) })}
                  >
                    ×
                  </button>
                )}
              </span>
            ))}
            {!readOnly && (
              <button
                type="button"
                className="btn-secondary text-xs"
                aria-label={`Add a value to ${label}`}
                onClick={() => onChange({ ...axis, scalar: false, values: [...axis.values, newValue()] })}
              >
                + value
              </button>
            )}
          </div>
        </fieldset>
        <div className="pt-5">
          <RowControls what={`parameter ${label}`} index={index} count={count} onMove={onMove} onRemove={onRemove} />
        </div>
      </div>
      <FieldErrors path={path} />
    </div>
  );
}
