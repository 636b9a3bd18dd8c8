// Small enhancements; every page works without them.
(function () {
  "use strict";

  // After a failed save, the list of problems is read first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // "Mark everyone present" without a round trip; the button still works as a plain submit.
  var allPresent = document.getElementById("all-present");
  if (allPresent) {
    allPresent.addEventListener("click", function (event) {
      event.preventDefault();
      var roster = allPresent.form;
      roster.querySelectorAll("input[type=radio][value=present]").forEach(function (radio) {
        radio.checked = true;
      });
      roster.querySelectorAll("input[type=number][name^=minutes-]").forEach(function (input) {
        input.value = "";
      });
      var status = document.getElementById("roster-status");
      if (status) {
        status.textContent = allPresent.getAttribute("data-done");
      }
    });
  }
})();
