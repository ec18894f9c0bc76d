import { fireEvent, render, screen } from "@testing-library/react";
import "@testing-library/jest-dom";
import App from "./App.jsx";

test("lists the open tasks", () => {
  render(<App tasks={[{ id: 1, title: "write migrations" }]} onAdd={() => {}} />);
  expect(screen.getByRole("listitem")).toHaveTextContent("write migrations");
});

test("says so when there is nothing to do", () => {
  render(<App tasks={[]} onAdd={() => {}} />);
  expect(screen.getByText("Nothing to do.")).toBeInTheDocument();
});

test("adds a trimmed task and clears the field; an empty one is ignored", () => {
  const added = [];
  render(<App tasks={[]} onAdd={(t) => added.push(t)} />);
  const field = screen.getByLabelText("New task");
  fireEvent.click(screen.getByRole("button", { name: "Add" }));
  fireEvent.change(field, { target: { value: "  review  " } });
  fireEvent.click(screen.getByRole("button", { name: "Add" }));
  expect(added).toEqual(["review"]);
  expect(field).toHaveValue("");
});
