// Tabs as the WAI-ARIA pattern has them: one tab in the Tab order (the selected one), arrow keys,
// Home and End move between tabs and select the one reached.

/** Marks `selected` as the chosen tab of its tablist (aria-selected, roving tabindex). */
export function markSelected(tabs: HTMLElement[], selected: HTMLElement | undefined): void {
  for (const tab of tabs) {
    const on = tab === selected;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
  }
}

/** Arrow keys, Home and End on a tablist: focus the tab reached and click it (the page selects on click). */
export function arrowKeys(list: HTMLElement, tabs: () => HTMLElement[]): void {
  list.addEventListener('keydown', (ev) => {
    const all = tabs();
    const at = all.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    const to =
      ev.key === 'ArrowRight'
        ? (at + 1) % all.length
        : ev.key === 'ArrowLeft'
          ? (at - 1 + all.length) % all.length
          : ev.key === 'Home'
            ? 0
            : ev.key === 'End'
              ? all.length - 1
              : -1;
    if (to < 0) return;
    ev.preventDefault();
    all[to].focus();
    all[to].click();
  });
}
