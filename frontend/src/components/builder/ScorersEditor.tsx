import type { Scorer } from '../../api/builder';
import { fieldId } from '../../builder/errors';
import { move, newOption, newScorer, type OptionForm, removeAt, replaceAt, type ScorerForm } from '../../builder/form';
import { AddButton, FieldErrors, Group, RowControls, SelectField, TextField } from './fields';

interface OptionSchema {
  type?: string;
  enum?: unknown[];
}

function optionSchema(scorer: Scorer | undefined, name: string): OptionSchema {
  return ((scorer?.options ?? {}) as Record<string, OptionSchema>)[name] ?? {};
}

/** Strings (templates, field names) are kept as typed; anything else is read as YAML. */
function optionKind(schema: OptionSchema): OptionForm['kind'] {
  if (schema.type === 'string') return 'string';
  if (schema.enum && schema.enum.every((v) => typeof v === 'string')) return 'string';
  return 'yaml';
}

export function ScorersEditor({
  path,
  title,
  description,
  scorers,
  available,
  onChange,
}: {
  path: string;
  title: string;
  description: string;
  scorers: ScorerForm[] | null;
  available: Scorer[] | undefined;
  onChange: (scorers: ScorerForm[] | null) => void;
}) {
  const list = scorers ?? [];
  return (
    <Group path={path} title={title} description={description}>
      {list.length === 0 && <p className="text-xs text-zinc-500">No scorers.</p>}
      {list.map((scorer, i) => (
        <ScorerRow
          key={scorer.key}
          scorer={scorer}
          path={`${path}[${i}]`}
          index={i}
          count={list.length}
          available={available}
          onChange={(next) => onChange(replaceAt(list, i, next))}
          onMove={(by) => onChange(move(list, i, by))}
          onRemove={() => onChange(removeAt(list, i))}
        />
      ))}
      <AddButton onClick={() => onChange([...list, newScorer(available?.[0]?.type ?? '')])}>Add a scorer</AddButton>
    </Group>
  );
}

function ScorerRow({
  scorer,
  path,
  index,
  count,
  available,
  onChange,
  onMove,
  onRemove,
}: {
  scorer: ScorerForm;
  path: string;
  index: number;
  count: number;
  available: Scorer[] | undefined;
  onChange: (scorer: ScorerForm) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const types = (available ?? []).map((s) => s.type);
  const known = available?.find((s) => s.type === scorer.type);
  const options = [
    ...Object.keys(known?.options ?? {}),
    ...scorer.options.map((o) => o.name).filter((name) => !(name in ((known?.options ?? {}) as object))),
  ];
  const what = `scorer ${index + 1} (${scorer.type || 'no type'})`;

  const setOption = (name: string, text: string) => {
    const at = scorer.options.findIndex((o) => o.name === name);
    if (text === '') {
      onChange({ ...scorer, options: scorer.options.filter((o) => o.name !== name) });
    } else if (at >= 0) {
      onChange({ ...scorer, options: replaceAt(scorer.options, at, { ...scorer.options[at]!, text }) });
    } else {
      onChange({ ...scorer, options: [...scorer.options, newOption(name, optionKind(optionSchema(known, name)), text)] });
    }
  };
  const changeType = (type: string) => {
    const next = available?.find((s) => s.type === type);
    const accepted = Object.keys(next?.options ?? {});
    onChange({ ...scorer, type, options: scorer.options.filter((o) => accepted.includes(o.name)) });
  };

  return (
    <div id={fieldId(path)} tabIndex={-1} className="rounded border border-zinc-200 bg-zinc-50 p-2">
      <div className="flex flex-wrap items-start gap-2">
        <SelectField
          className="w-44"
          path={`${path}.type`}
          label={`Type of scorer ${index + 1}`}
          value={scorer.type}
          options={[
            ...(types.includes(scorer.type) ? [] : [{ value: scorer.type, label: scorer.type || 'Choose a type' }]),
            ...types.map((type) => ({ value: type, label: type })),
          ]}
          onChange={changeType}
        />
        <TextField
          className="w-40"
          path={`${path}.name`}
          label={`Name of scorer ${index + 1}`}
          value={scorer.name}
          placeholder={scorer.type}
          onChange={(name) => onChange({ ...scorer, name })}
        />
        <TextField
          className="w-24"
          path={`${path}.weight`}
          label="Weight"
          value={scorer.weight}
          placeholder="1"
          inputMode="decimal"
          onChange={(weight) => onChange({ ...scorer, weight })}
        />
        <div className="ml-auto pt-5">
          <RowControls what={what} index={index} count={count} onMove={onMove} onRemove={onRemove} />
        </div>
      </div>
      {known?.description && (
        <p className="mt-1 line-clamp-2 text-xs text-zinc-500" title={known.description}>
          {known.description}
        </p>
      )}
      {options.length > 0 && (
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {options.map((name) => (
            <OptionField
              key={name}
              path={`${path}.${name}`}
              name={name}
              scorerLabel={`scorer ${index + 1}`}
              schema={optionSchema(known, name)}
              option={scorer.options.find((o) => o.name === name)}
              required={known?.required.includes(name) ?? false}
              template={known?.template_options.includes(name) ?? false}
              onChange={(text) => setOption(name, text)}
            />
          ))}
        </div>
      )}
      <FieldErrors path={path} />
    </div>
  );
}

function OptionField({
  path,
  name,
  scorerLabel,
  schema,
  option,
  required,
  template,
  onChange,
}: {
  path: string;
  name: string;
  scorerLabel: string;
  schema: OptionSchema;
  option: OptionForm | undefined;
  required: boolean;
  template: boolean;
  onChange: (text: string) => void;
}) {
  const label = `${name} of ${scorerLabel}`;
  const choices = schema.type === 'boolean' ? ['true', 'false'] : schema.enum?.map(String);
  if (choices) {
    return (
      <SelectField
        path={path}
        label={label}
        value={option?.text ?? ''}
        options={[{ value: '', label: '(default)' }, ...choices.map((c) => ({ value: c, label: c }))]}
        onChange={onChange}
      />
    );
  }
  const yaml = (option?.kind ?? optionKind(schema)) === 'yaml';
  const hint = template ? 'a template' : yaml ? `YAML (${schema.type ?? 'any value'})` : undefined;
  return (
    <TextField
      path={path}
      label={label}
      required={required}
      value={option?.text ?? ''}
      hint={hint}
      mono={yaml || template}
      multiline={schema.type === 'object'}
      onChange={onChange}
    />
  );
}
