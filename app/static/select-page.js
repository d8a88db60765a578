// "Select every trainee on this page": the lists work without it (tick each row); with it, one box ticks all.
document.querySelectorAll("input.select-page").forEach(function (box) {
  var form = box.form;
  if (!form) { return; }
  box.hidden = false;
  box.addEventListener("change", function () {
    form.querySelectorAll("input[type=checkbox][name=ids]").forEach(function (row) { row.checked = box.checked; });
  });
});
