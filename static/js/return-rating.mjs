// The return form's rating panel, updated as a value is typed. Progressive enhancement: without
// JavaScript the "Check rating" button re-renders the page with the same panel.
const form = document.querySelector("form[data-rating-url]");
const panel = document.getElementById("rating-panel");

if (form && panel) {
  const url = form.dataset.ratingUrl;
  let timer;
  let pending;

  const typedValue = () => {
    const chosen = form.querySelector("input[name='value']:checked");
    if (chosen) return chosen.value;
    const input = form.querySelector("input[name='value']:not([type='radio'])");
    return input ? input.value : "";
  };

  const update = async () => {
    // Only the latest value's answer is shown: an earlier, slower one is abandoned.
    pending?.abort();
    pending = new AbortController();
    try {
      const response = await fetch(`${url}?value=${encodeURIComponent(typedValue())}`, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        signal: pending.signal,
      });
      // A 400 carries the reason the value cannot be rated, to show in the panel.
      // Signed out meanwhile (a 401), or sent elsewhere: leave the panel as it was.
      if (!response.redirected && (response.ok || response.status === 400)) {
        panel.innerHTML = await response.text();
      }
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };

  form.addEventListener("input", (event) => {
    if (event.target.name !== "value") return;
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
}
