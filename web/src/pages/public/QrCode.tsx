import qrcode from "qrcode-generator";
import { useMemo } from "react";

/**
 * A QR code of a link, as an <img> of an SVG data: URL (the CSP allows data: images, and nothing
 * is injected into the page's own markup). Each dark module is one square of one path.
 */
export function QrCode({ url, size = 176 }: { url: string; size?: number }) {
  const src = useMemo(() => {
    const qr = qrcode(0, "M");
    qr.addData(url);
    qr.make();
    const count = qr.getModuleCount();
    const margin = 4;
    const total = count + margin * 2;
    let path = "";
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (qr.isDark(row, col)) path += `M${col + margin} ${row + margin}h1v1h-1z`;
      }
    }
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${total} ${total}" shape-rendering="crispEdges">` +
      `<rect width="${total}" height="${total}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
    return `data:image/svg+xml,${encodeURIComponent(svg)}`;
  }, [url]);
  return <img className="chat-qr" src={src} width={size} height={size} alt={`QR code of ${url}`} />;
}
