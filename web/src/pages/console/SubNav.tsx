import { Link, useLocation } from "wouter";

const SECTIONS = [
  { href: "/", label: "Overview" },
  { href: "/customers", label: "Customers" },
  { href: "/boxes", label: "Boxes" },
  { href: "/jobs", label: "Jobs" },
  { href: "/audit", label: "Audit log" },
];

/** The console's sections, on every console page; the current one is marked (a customer's page is under Customers). */
export function SubNav() {
  const [location] = useLocation();
  return (
    <nav className="console-subnav" aria-label="Admin sections">
      <ul>
        {SECTIONS.map(({ href, label }) => {
          const exact = location === href;
          const within = exact || (href !== "/" && location.startsWith(`${href}/`));
          return (
            <li key={href}>
              <Link href={href} className={within ? "current" : undefined} aria-current={exact ? "page" : within ? "true" : undefined}>
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
