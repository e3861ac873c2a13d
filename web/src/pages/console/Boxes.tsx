import { Link } from "wouter";
import { useTitle } from "../../ui/States";
import { useAdmin } from "./access";
import { Badge } from "./Badge";
import { DataTable, type Column } from "./DataTable";
import { shortId, when, words } from "./format";
import { Pager, useCursorPages, withQuery } from "./Pager";
import type { Box, Paged } from "./types";

const LIMIT = 50;

const columns: Column<Box>[] = [
  { header: "Bot", cell: (b) => <Link href={`/boxes/${b.id}`}>@{b.botUsername}</Link> },
  { header: "Status", cell: (b) => <Badge value={b.status} /> },
  { header: "Desired state", cell: (b) => words(b.desiredState) },
  {
    header: "Customer",
    className: "nowrap",
    cell: (b) => (
      <Link href={`/customers/${b.customerId}`} title={b.customerId}>
        <code>{shortId(b.customerId)}</code>
      </Link>
    ),
  },
  { header: "Runtime", cell: (b) => b.runtime },
  { header: "Live since", className: "nowrap", cell: (b) => when(b.liveSince) },
  { header: "Created", className: "nowrap", cell: (b) => when(b.createdAt) },
  { header: "Destroyed", className: "nowrap", cell: (b) => when(b.destroyedAt) },
];

/** /console/boxes: every box, destroyed ones too, paged. */
export function Boxes() {
  useTitle("Boxes");
  const pages = useCursorPages("boxes");
  const { data, error, loading, reload } = useAdmin<Paged<Box>>(withQuery("/admin/boxes", { limit: LIMIT, cursor: pages.cursor }));
  return (
    <>
      <h1>Boxes</h1>
      <p className="muted">Every customer's agent, destroyed ones included.</p>
      <DataTable
        caption="Boxes"
        captionHidden
        columns={columns}
        rows={data?.items}
        rowKey={(b) => b.id}
        loading={loading}
        error={error}
        retry={reload}
        what="boxes"
        empty={<p>No boxes yet. A box is made when a customer's first payment arrives.</p>}
      />
      <Pager label="Boxes" page={pages.page} next={data?.next} busy={loading} onNext={pages.forward} onPrevious={pages.back} />
    </>
  );
}
