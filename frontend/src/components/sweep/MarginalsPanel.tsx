import { useId } from 'react';
import { useMarginals } from '../../api/sweeps';
import { formatCount, formatPercent, formatScore } from '../../lib/format';
import { EmptyState, QueryView } from '../States';
import { CiBar, ciDomain } from './CiBar';
import { axisValueText } from './configs';
import { Panel } from './Panel';

/** Per varied axis, the mean score per value and the share of the variance it explains. */
export function MarginalsPanel({ sweepId }: { sweepId: number }) {
  const marginals = useMarginals(sweepId);
  const id = useId();
  return (
    <Panel id={id} title="Marginals">
      <QueryView
        query={marginals}
        loading="Loading the marginals"
        error="Could not load the marginals"
        framed={false}
        isEmpty={(data) => data.axes.length === 0}
        empty={
          <EmptyState title="No axis varies yet">
            Marginals need scored runs on two or more values of an axis.
          </EmptyState>
        }
      >
        {(data) => (
          <div className="space-y-4">
            {data.axes.map((axis) => {
              const domain = ciDomain(axis.values.map((v) => ({ score: v.mean, ci95: v.ci95 })));
              return (
                <table key={axis.axis} className="data-table">
                  <caption className="pb-1 text-left text-sm">
                    <span className="font-medium">{axis.axis}</span>
                    <span className="ml-2 text-zinc-500">
                      explains {formatPercent(axis.variance_explained)} of the score&apos;s variance
                    </span>
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Value</th>
                      <th scope="col" className="text-right">
                        Mean
                      </th>
                      <th scope="col">95% interval</th>
                      <th scope="col" className="text-right">
                        Runs
                      </th>
                      <th scope="col" className="text-right">
                        Configs
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {axis.values.map((value) => (
                      <tr key={axisValueText(value.value)}>
                        <td className="max-w-xs break-words">{axisValueText(value.value)}</td>
                        <td className="text-right font-mono tabular-nums">{formatScore(value.mean)}</td>
                        <td>
                          <CiBar score={value.mean} ci95={value.ci95} domain={domain} />
                        </td>
                        <td className="text-right tabular-nums">{formatCount(value.n)}</td>
                        <td className="text-right tabular-nums">{formatCount(value.configs)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              );
            })}
          </div>
        )}
      </QueryView>
    </Panel>
  );
}
