// Runs first in <body>: lets the design system's enhanced styles apply only when its
// JavaScript will run.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
