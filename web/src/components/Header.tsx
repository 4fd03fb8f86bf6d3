import type { SignedInUser } from "../auth/session";
import { PAGES, pagesFor, type PageId } from "../router";

interface HeaderProps {
  user: SignedInUser | null;
  page: PageId | null;
  onSignOut: () => void;
}

// Pages live in the hash, so the skip link moves focus itself instead of changing the hash.
function skipToContent(event: MouseEvent) {
  event.preventDefault();
  document.getElementById("main")?.focus();
}

/** The product name, the pages the signed-in role may use, who is signed in, sign out. */
export function Header({ user, page, onSignOut }: HeaderProps) {
  return (
    <header class="top">
      <a class="skip" href="#main" onClick={skipToContent}>
        Skip to content
      </a>
      <span class="brand">carescore</span>
      {user ? (
        <>
          <nav aria-label="Pages">
            <ul>
              {pagesFor(user.role).map((id) => (
                <li key={id}>
                  <a href={`#/${id}`} aria-current={page === id ? "page" : undefined}>
                    {PAGES[id].title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            <span>
              Signed in as <strong>{user.username}</strong> <span class="role">({user.role})</span>
            </span>
            <button type="button" class="quiet" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </>
      ) : null}
    </header>
  );
}
