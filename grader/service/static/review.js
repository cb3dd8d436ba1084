// Keyboard shortcuts of the review page: j/k groups, 1-9 concepts, arrows choose an answer, Enter applies to the
// group, o to the chosen answer only, s splits it out, c the comment. Without this file every action is a button.
(function () {
  "use strict";
  var form = document.getElementById("decision");
  if (!form) { return; }
  var section = document.getElementById("review");
  var points = document.getElementById("points");
  var comment = document.getElementById("comment");
  var answers = Array.prototype.slice.call(document.querySelectorAll("li.answer"));
  var concepts = Array.prototype.slice.call(form.querySelectorAll("input[name=concept]"));
  var chosen = 0;

  function recompute() {
    // The ticked concepts' shares of the item's points, as the server computes them.
    var share = 0;
    concepts.forEach(function (box) { if (box.checked) { share += parseFloat(box.dataset.share); } });
    var total = Math.min(1, share) * parseFloat(section.dataset.points);
    points.value = String(Math.round(total * 10000) / 10000);
  }

  function choose(index) {
    if (!answers.length) { return; }
    answers[chosen].classList.remove("chosen");
    chosen = (index + answers.length) % answers.length;
    answers[chosen].classList.add("chosen");
    answers[chosen].scrollIntoView({block: "nearest"});
  }

  function act(value) {
    var button = document.createElement("input");
    button.type = "hidden";
    button.name = "action";
    button.value = value;
    form.appendChild(button);
    form.submit();
  }

  function go(id) {
    var link = document.getElementById(id);
    if (link) { window.location.href = link.href; }
  }

  concepts.forEach(function (box) { box.addEventListener("change", recompute); });
  document.addEventListener("keydown", function (event) {
    var typing = event.target === points || event.target === comment;
    if (typing) {
      if (event.key === "Escape") { event.target.blur(); }
      return;  // Enter in a text field submits the form the ordinary way (apply to the group)
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var submission = answers.length ? answers[chosen].dataset.submission : null;
    if (event.key === "j") { go("next"); }
    else if (event.key === "k") { go("previous"); }
    else if (event.key >= "1" && event.key <= "9") {
      var box = concepts[parseInt(event.key, 10) - 1];
      if (box) { box.checked = !box.checked; recompute(); }
    }
    else if (event.key === "ArrowDown") { choose(chosen + 1); }
    else if (event.key === "ArrowUp") { choose(chosen - 1); }
    else if (event.key === "Enter") { act("apply"); }
    else if (event.key === "o" && submission) { act("one:" + submission); }
    else if (event.key === "s" && submission && answers.length > 1) { act("split:" + submission); }
    else if (event.key === "c") { comment.focus(); }
    else { return; }
    event.preventDefault();
  });
}());
