import { useId, type ReactNode } from "react";
import type { ApiError } from "../../lib/api";
import { Empty, Loading } from "../../ui/States";
import { ErrorState } from "../../ui/States";

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** e.g. "nowrap", "num", "wide" (console.css). */
  className?: string;
}

interface DataTableProps<T> {
  /** The table's name (its caption); shown unless captionHidden. */
  caption: string;
  captionHidden?: boolean;
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  loading: boolean;
  error?: ApiError;
  retry?: () => void;
  /** What is loading, for the loading state: "customers". */
  what: string;
  empty: ReactNode;
}

/**
 * A list of the console: loading, error and empty states, else the table in a .table-wrap that
 * scrolls sideways inside itself on a narrow screen (a named, focusable region so keyboards can
 * scroll it too). The first column heads its row. Rows already shown stay while the next answer loads, marked busy.
 */
export function DataTable<T>({ caption, captionHidden, columns, rows, rowKey, loading, error, retry, what, empty }: DataTableProps<T>) {
  const captionId = useId();
  if (error) return <ErrorState error={error} retry={retry} />;
  if (!rows) return loading ? <Loading what={what} /> : null;
  if (rows.length === 0) return loading ? <Loading what={what} /> : <Empty>{empty}</Empty>;
  return (
    <>
      {loading && <Loading what={what} />}
      <div className={loading ? "table-wrap busy" : "table-wrap"} role="region" aria-labelledby={captionId} tabIndex={0}>
        <table aria-busy={loading || undefined}>
          <caption id={captionId} className={captionHidden ? "sr-only" : undefined}>
            {caption}
          </caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.header} scope="col" className={column.className}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column, i) =>
                  i === 0 ? (
                    <th key={column.header} scope="row" className={column.className}>
                      {column.cell(row)}
                    </th>
                  ) : (
                    <td key={column.header} className={column.className}>
                      {column.cell(row)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
