import type { RunScore, TraceStage } from '../../api/runs';
import { formatCost, formatCount, formatMs, formatScore, MISSING } from '../../lib/format';
import { OutputBlock, TextBlock, valueText } from './JsonBlock';
import { tokenPair } from './labels';

type Obj = Record<string, unknown>;

function partText(part: unknown): string {
  if (part && typeof part === 'object' && typeof (part as Obj).text === 'string') return (part as Obj).text as string;
  return valueText(part);
}

/** A chat message's content: a string, or a list of parts (text parts read as their text). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(partText).join('\n');
  return valueText(content);
}

/** The messages as they were sent, after rendering the prompt's template. */
export function Messages({ messages, label }: { messages: unknown; label: string }) {
  if (!Array.isArray(messages) || messages.length === 0) {
    return <p className="text-sm text-zinc-500">No messages recorded.</p>;
  }
  return (
    <ol aria-label={label} className="space-y-2">
      {messages.map((message, index) => {
        const obj = (message && typeof message === 'object' ? message : {}) as Obj;
        return (
          <li key={index}>
            <p className="mb-0.5 text-xs font-medium tracking-wide text-zinc-500 uppercase">
              {typeof obj.role === 'string' ? obj.role : 'message'}
            </p>
            <TextBlock text={contentText('content' in obj ? obj.content : message)} />
          </li>
        );
      })}
    </ol>
  );
}

/** Why a scorer gave its value: its error when it could not score, else the reason in its detail. */
export function scoreReason(score: RunScore): string | null {
  if (score.error) return score.error;
  const detail = score.detail;
  if (typeof detail === 'string') return detail;
  if (detail && typeof detail === 'object') {
    const obj = detail as Obj;
    for (const key of ['reason', 'reasoning', 'rationale', 'explanation', 'raw']) {
      if (typeof obj[key] === 'string' && obj[key]) return obj[key] as string;
    }
  }
  return null;
}

function hasDetail(detail: unknown): boolean {
  if (detail === null || detail === undefined) return false;
  return typeof detail !== 'object' || Object.keys(detail as Obj).length > 0;
}

export function ScoresTable({ scores }: { scores: readonly RunScore[] }) {
  if (scores.length === 0) return <p className="text-sm text-zinc-500">Not scored.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Scorer</th>
            <th scope="col" className="num">
              Score
            </th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {scores.map((score) => {
            const reason = scoreReason(score);
            return (
              <tr key={score.scorer}>
                <td className="font-medium whitespace-nowrap">{score.scorer}</td>
                <td className="num">{formatScore(score.value)}</td>
                <td className="num">{score.weight === undefined ? MISSING : String(score.weight)}</td>
                <td className="min-w-[16rem]">
                  {reason ? (
                    <p className={`whitespace-pre-wrap ${score.error ? 'text-red-700' : ''}`}>{reason}</p>
                  ) : (
                    <span className="text-zinc-400">{MISSING}</span>
                  )}
                  {hasDetail(score.detail) && (
                    <details className="mt-1">
                      <summary className="cursor-pointer text-xs text-zinc-500">Detail</summary>
                      <TextBlock text={valueText(score.detail)} />
                    </details>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface Usage {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number | null;
  cost: number | null;
  cache_hit: boolean | null;
}

/** Tokens, latency, cost and cache hit, each with its unit. */
export function UsageList({ usage }: { usage: Usage }) {
  const entries: [string, string][] = [
    ['Tokens (prompt + completion)', tokenPair(usage.prompt_tokens, usage.completion_tokens, formatCount)],
    ['Latency', formatMs(usage.latency_ms)],
    ['Cost', formatCost(usage.cost)],
    ['Cache', usage.cache_hit === null ? MISSING : usage.cache_hit ? 'hit' : 'miss'],
  ];
  return (
    <dl className="flex flex-wrap gap-x-8 gap-y-1 text-sm">
      {entries.map(([term, value]) => (
        <div key={term}>
          <dt className="text-xs text-zinc-500">{term}</dt>
          <dd className="tabular-nums">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One stage of a pipeline run: what it sent, what came back, at what cost. */
export function StageSection({ stage, index }: { stage: TraceStage; index: number }) {
  const id = `stage-${index}-heading`;
  return (
    <section aria-labelledby={id} className="panel">
      <div className="border-b border-zinc-200 bg-zinc-50 px-3 py-2">
        <h3 id={id} className="text-sm font-semibold text-zinc-700">
          Stage {index + 1}: {stage.stage}
        </h3>
      </div>
      <div className="space-y-3 p-3">
        <UsageList usage={stage} />
        {stage.error && <p className="text-sm text-red-700">{stage.error}</p>}
        <div>
          <h4 className="mb-1 text-xs font-semibold text-zinc-600">Messages</h4>
          <Messages messages={stage.messages} label={`Messages of ${stage.stage}`} />
        </div>
        <div>
          <h4 className="mb-1 text-xs font-semibold text-zinc-600">Output</h4>
          <OutputBlock text={stage.output} label={`Output of ${stage.stage}`} />
        </div>
      </div>
    </section>
  );
}
