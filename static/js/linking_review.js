// The review queue from the keyboard: j / k move between pairs, m and d choose the judgement
// and move to the reason, Enter (in the reason) submits. Keys typed in a field are left alone.
(function () {
  "use strict";
  var pairs = Array.prototype.slice.call(document.querySelectorAll(".linking-pair"));
  if (!pairs.length) return;
  var current = 0;
  function show(index) {
    current = Math.max(0, Math.min(pairs.length - 1, index));
    pairs[current].focus();
    pairs[current].scrollIntoView({block: "start"});
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.matches && target.matches("input[type=text], textarea, select")) return;
    var pair = target.closest ? target.closest(".linking-pair") : null;
    if (pair) current = pairs.indexOf(pair);
    if (event.key === "j") { show(current + 1); event.preventDefault(); }
    else if (event.key === "k") { show(current - 1); event.preventDefault(); }
    else if (event.key === "m" || event.key === "d") {
      var choice = pairs[current].querySelector("input[data-key='" + event.key + "']");
      if (choice) {
        choice.checked = true;
        pairs[current].querySelector("input[name=reason]").focus();
        event.preventDefault();
      }
    }
  });
})();
