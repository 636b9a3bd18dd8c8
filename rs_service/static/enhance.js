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

// Linking a report row to a person fills in their status at once (the same request the button sends).
(function () {
  "use strict";
  var button = document.getElementById("link-rows");
  if (!button) {
    return;
  }
  document.querySelectorAll("select.link-row").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value) {
        button.form.requestSubmit(button);
      }
    });
  });
})();

// The private calendar link: selected when focused, copied in one tap.
(function () {
  "use strict";
  document.querySelectorAll("input.select-on-focus").forEach(function (input) {
    input.addEventListener("focus", function () {
      input.select();
    });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        var status = document.getElementById("copy-status");
        button.textContent = button.getAttribute("data-copied");
        if (status) {
          status.textContent = button.getAttribute("data-copied");
        }
      };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          if (document.execCommand("copy")) {
            done();
          }
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
})();
