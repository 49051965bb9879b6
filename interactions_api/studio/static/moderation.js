// Studio's comment lists: a "Select all" box above each bulk form's table (progressive
// enhancement: without JavaScript every comment is ticked one by one).
for (const form of document.querySelectorAll("form[data-bulk]")) {
  const boxes = [...form.querySelectorAll('input[name="ids"]')];
  if (boxes.length < 2) continue;
  const label = document.createElement("label");
  label.className = "s-select-all";
  const all = document.createElement("input");
  all.type = "checkbox";
  label.append(all, " Select all");
  form.querySelector("table").before(label);
  all.addEventListener("change", () => {
    for (const box of boxes) box.checked = all.checked;
  });
  form.addEventListener("change", (event) => {
    if (event.target === all) return;
    const ticked = boxes.filter((box) => box.checked).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  });
}
